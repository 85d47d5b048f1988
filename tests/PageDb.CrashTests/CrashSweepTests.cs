using PageDb.CrashTests.Harness;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;
using static PageDb.CrashTests.Harness.WorkloadAction;

namespace PageDb.CrashTests;

/// <summary>
/// A short script that goes through the whole life of a database (creation, commits, a spilling commit, a rollback,
/// a held reader, checkpoints of each mode with WAL restarts, compaction, a close and reopen), crashed at every I/O
/// call in turn (every <c>stride</c>-th in the default run), each time recovered and checked. Held readers make
/// passive checkpoints take every step of the two-file log: a switch to <c>-wal2</c>, forgetting <c>-wal</c> and
/// switching back to it, forgetting <c>-wal2</c> and restarting in place. Appends (one-row commits that start new
/// leaves, growing the database without logging page 0) between checkpoints make checkpoints whose copied range has
/// no page 0, which then write the file's own header with the new page count.
/// </summary>
public class CrashSweepTests
{
    private static readonly WorkloadAction[] Script =
    [
        Commit, Commit, LargeCommit, Rollback, HoldReader, Commit, PassiveCheckpoint, ReleaseReader, Commit,
        FullCheckpoint, Commit, Compact, Commit, Reopen, Commit, LargeCommit, PassiveCheckpoint, Commit,
        HoldReader, Commit, PassiveCheckpoint, ReleaseReader, HoldReader, Commit, PassiveCheckpoint, Commit, Reopen,
        HoldReader, Commit, PassiveCheckpoint, ReleaseReader, Commit, PassiveCheckpoint, Commit,
        Appends, PassiveCheckpoint, HoldReader, Appends, PassiveCheckpoint, Appends, ReleaseReader, PassiveCheckpoint,
        Appends, Reopen, Commit,
    ];

    [TestCase(Durability.Full)]
    [TestCase(Durability.Normal)]
    public void A_crash_at_any_IO_call_of_a_database_life_recovers_to_an_acknowledged_commit(Durability durability)
    {
        int seed = TestSeed.Next();
        using var dryRun = new CrashRun(seed, durability);
        CrashRunResult clean = dryRun.RunScript(Script, long.MaxValue);
        Assert.That(clean.Failure, Is.Null, clean.Failure);
        Assert.That(dryRun.Storage.Exists("crash/db.pagedb-wal2"), Is.True, "the script's held readers make the log switch to its second file");
        long calls = dryRun.Storage.Calls;
        int stride = TestSeed.LongRun ? 1 : (int)Math.Max(1, calls / 300);
        var total = new CrashRunResult();
        for (long crashAt = 1; crashAt <= calls && total.Failure is null; crashAt += stride)
        {
            using var crashRun = new CrashRun(seed, durability, variant: (int)crashAt);
            total.Add(crashRun.RunScript(Script, crashAt));
        }
        TestContext.Out.WriteLine($"{calls} I/O calls in the script, every {stride}th crashed: {total}");
        Assert.That(total.Failure, Is.Null, total.Failure);
        Assert.That(total.CrashPoints, Is.GreaterThanOrEqualTo(Math.Min(calls, 250)), TestSeed.Describe(seed));
    }

    private static readonly WorkloadAction[] Operations =
        [Commit, LargeCommit, Rollback, PassiveCheckpoint, FullCheckpoint, Compact, Reopen, Appends];

    /// <summary>
    /// The second checkpoint's range holds only appends, which grew the database without logging page 0, so it writes
    /// the file's own page 0 with the new count (docs/FORMAT.md, "Unlogged growth"): crashed at every I/O call, between
    /// that write and its sync included, with each kind of crash (a torn sector, the write dropped, the process dying).
    /// </summary>
    [Test]
    public void A_crash_around_the_header_a_checkpoint_of_appends_writes_recovers_to_an_acknowledged_commit()
    {
        int seed = TestSeed.Next();
        WorkloadAction[] script = [Appends, PassiveCheckpoint, Appends, PassiveCheckpoint];
        using var dryRun = new CrashRun(seed, Durability.Full);
        CrashRunResult clean = dryRun.RunScript(script, long.MaxValue);
        Assert.That(clean.Failure, Is.Null, clean.Failure);
        var total = new CrashRunResult();
        for (long crashAt = 1; crashAt <= dryRun.Storage.Calls && total.Failure is null; crashAt++)
        {
            foreach (CrashKind kind in Kinds)
            {
                using var crashRun = new CrashRun(seed, Durability.Full, variant: (int)crashAt, crashKind: kind);
                total.Add(crashRun.RunScript(script, crashAt));
            }
        }
        TestContext.Out.WriteLine($"{dryRun.Storage.Calls} I/O calls, every one crashed 3 ways: {total}");
        Assert.That(total.Failure, Is.Null, total.Failure);
        Assert.That(total.CrashPoints, Is.GreaterThanOrEqualTo(3 * dryRun.Storage.Calls), TestSeed.Describe(seed));
    }

    private static readonly CrashKind[] Kinds = [CrashKind.ProcessCrash, CrashKind.UnsyncedDropped, CrashKind.TornSectors];

    /// <summary>
    /// A forget prepares the file it forgets for the next switch (docs/FORMAT.md, "Two log files", step 2): a new header,
    /// then, when a reader let the file grow past twice the threshold, a shrink to that header and its first growth step,
    /// each synced. The script makes such a file: a held reader pins <c>-wal</c> after the first switch while large
    /// commits grow <c>-wal2</c>; a second reader makes the next checkpoint switch back, leaving the grown <c>-wal2</c>
    /// as the older generation; once that reader leaves, a checkpoint (the background's or the script's) copies it out and
    /// its forget shrinks it.
    /// Crashed with each kind of crash at every I/O call from the reader's release on (the forget's few steps are among
    /// them: none can come earlier, the reader holds the file), and at about fifty calls spread over the rest (every
    /// call with PAGEDB_LONG=1). The dry runs show the file grown while the reader holds it and shrunk at the end.
    /// </summary>
    [Test]
    public void A_crash_while_a_forget_shrinks_a_grown_log_file_recovers_to_an_acknowledged_commit()
    {
        int seed = TestSeed.Next();
        long threshold = new Random(seed).Next(2) == 0 ? 48 << 10 : 512 << 10; // as CrashRun draws it
        int largeCommits = threshold > 64 << 10 ? 40 : 6;
        WorkloadAction[] growing =
            [HoldReader, Commit, PassiveCheckpoint, .. Enumerable.Repeat(LargeCommit, largeCommits), ReleaseReader, HoldReader, Commit, PassiveCheckpoint];
        WorkloadAction[] script = [.. growing, ReleaseReader, Commit, PassiveCheckpoint, Commit];
        long callsBeforeForget;
        using (var grown = new CrashRun(seed, Durability.Full))
        {
            CrashRunResult clean = grown.RunScript(growing, long.MaxValue);
            Assert.That(clean.Failure, Is.Null, clean.Failure);
            Assert.That(LengthOf(grown.Storage, "crash/db.pagedb-wal2"), Is.GreaterThan(2 * threshold), "the reader let -wal2 grow past twice the threshold; " + TestSeed.Describe(seed));
            callsBeforeForget = grown.Storage.Calls; // none of the forget's: the held reader holds -wal2 until here
        }
        using var dryRun = new CrashRun(seed, Durability.Full);
        CrashRunResult whole = dryRun.RunScript(script, long.MaxValue);
        Assert.That(whole.Failure, Is.Null, whole.Failure);
        Assert.That(LengthOf(dryRun.Storage, "crash/db.pagedb-wal2"), Is.LessThanOrEqualTo(2 * threshold), "the forget shrank -wal2; " + TestSeed.Describe(seed));
        long calls = dryRun.Storage.Calls;
        int stride = TestSeed.LongRun ? 1 : (int)Math.Max(1, callsBeforeForget / 50); // every call took 7 minutes on the CI machine
        var before = new CrashRunResult();
        var forget = new CrashRunResult(); // crashed from the reader's release on
        int forgetRuns = 0, forgetRunsCrashed = 0;
        var crashCalls = new List<long>();
        for (long call = 1; call <= callsBeforeForget; call += stride)
            crashCalls.Add(call);
        for (long call = callsBeforeForget + 1; call <= calls; call++)
            crashCalls.Add(call);
        foreach (long crashAt in crashCalls.TakeWhile(_ => before.Failure is null && forget.Failure is null))
        {
            foreach (CrashKind kind in Kinds)
            {
                using var crashRun = new CrashRun(seed, Durability.Full, variant: (int)crashAt, crashKind: kind);
                CrashRunResult run = crashRun.RunScript(script, crashAt);
                if (crashAt <= callsBeforeForget)
                {
                    before.Add(run);
                    continue;
                }
                forget.Add(run);
                forgetRuns++;
                forgetRunsCrashed += run.CrashPoints > 0 ? 1 : 0;
            }
        }
        TestContext.Out.WriteLine($"{calls} I/O calls: of the first {callsBeforeForget} one in {stride} crashed 3 ways: {before}; "
            + $"every one of the last {calls - callsBeforeForget} (from the reader's release on) crashed 3 ways, {forgetRunsCrashed} of {forgetRuns} runs reaching it: {forget}");
        Assert.That(before.Failure, Is.Null, before.Failure);
        Assert.That(forget.Failure, Is.Null, forget.Failure);
        Assert.That(before.CrashPoints, Is.GreaterThanOrEqualTo(3 * (callsBeforeForget / stride)), TestSeed.Describe(seed));
        // The background copy's I/O interleaves with the script's, so a run may make fewer calls than the dry run and
        // end before its crash: most, not all, of the runs crashed there.
        Assert.That(forgetRunsCrashed, Is.GreaterThanOrEqualTo(forgetRuns / 2), "the runs crashed from the reader's release on; " + TestSeed.Describe(seed));
    }

    private static long LengthOf(FaultInjectingStorage storage, string path)
    {
        using IStorageFile file = storage.Open(path, StorageOpenMode.ReadOnly);
        return file.Length;
    }

    /// <summary>
    /// Every workload of up to three operations (creation first), crashed at every I/O call with each kind of crash:
    /// the process dying, a power loss dropping every unsynced write, and one tearing every unsynced write at 512-byte
    /// sectors. The default run takes the one-operation workloads; PAGEDB_LONG=1 all 584 (at least 20,000 crash states).
    /// </summary>
    [Test]
    public void Every_small_workload_crashed_at_every_IO_call_recovers_to_an_acknowledged_commit()
    {
        int seed = TestSeed.Next();
        int maxLength = TestSeed.LongRun ? 3 : 1;
        var total = new CrashRunResult();
        int workloads = 0;
        foreach (WorkloadAction[] script in Scripts(maxLength))
        {
            workloads++;
            using var dryRun = new CrashRun(seed, Durability.Full);
            CrashRunResult clean = dryRun.RunScript(script, long.MaxValue);
            Assert.That(clean.Failure, Is.Null, clean.Failure);
            for (long crashAt = 1; crashAt <= dryRun.Storage.Calls && total.Failure is null; crashAt++)
            {
                foreach (CrashKind kind in Kinds)
                {
                    using var crashRun = new CrashRun(seed, Durability.Full, variant: (int)crashAt, crashKind: kind);
                    total.Add(crashRun.RunScript(script, crashAt));
                }
            }
            Assert.That(total.Failure, Is.Null, $"workload [{string.Join(", ", script)}]: {total.Failure}");
            if (workloads % 50 == 0)
                TestContext.Progress.WriteLine($"after {workloads} workloads: {total}");
        }
        TestContext.Out.WriteLine($"{workloads} workloads of up to {maxLength} operations, every I/O call crashed 3 ways: {total}");
        // A floor that shows the sweep ran, not a target: the seed's data sizes set how many I/O calls a workload makes
        // (the default run's seven workloads gave 462 to 962 crash states over 13 seeds).
        Assert.That(total.CrashPoints, Is.GreaterThanOrEqualTo(TestSeed.LongRun ? 20_000 : 300), TestSeed.Describe(seed));
    }

    private static IEnumerable<WorkloadAction[]> Scripts(int maxLength)
    {
        IEnumerable<WorkloadAction[]> current = [[]];
        for (int length = 1; length <= maxLength; length++)
        {
            current = [.. current.SelectMany(prefix => Operations.Select(op => (WorkloadAction[])[.. prefix, op]))];
            foreach (WorkloadAction[] script in current)
                yield return script;
        }
    }
}
