using PageDb.CrashTests.Harness;
using PageDb.Testing;
using static PageDb.CrashTests.Harness.WorkloadAction;

namespace PageDb.CrashTests;

/// <summary>
/// A short script that goes through the whole life of a database (creation, commits, a spilling commit, a rollback,
/// a held reader, checkpoints of each mode with WAL restarts, compaction, a close and reopen), crashed at every I/O
/// call in turn (every <c>stride</c>-th in the default run), each time recovered and checked. Held readers make
/// passive checkpoints take every step of the two-file log: a switch to <c>-wal2</c>, forgetting <c>-wal</c> and
/// switching back to it, forgetting <c>-wal2</c> and restarting in place.
/// </summary>
public class CrashSweepTests
{
    private static readonly WorkloadAction[] Script =
    [
        Commit, Commit, LargeCommit, Rollback, HoldReader, Commit, PassiveCheckpoint, ReleaseReader, Commit,
        FullCheckpoint, Commit, Compact, Commit, Reopen, Commit, LargeCommit, PassiveCheckpoint, Commit,
        HoldReader, Commit, PassiveCheckpoint, ReleaseReader, HoldReader, Commit, PassiveCheckpoint, Commit, Reopen,
        HoldReader, Commit, PassiveCheckpoint, ReleaseReader, Commit, PassiveCheckpoint, Commit,
    ];

    [TestCase(Durability.Full)]
    [TestCase(Durability.Normal)]
    public void A_crash_at_any_IO_call_of_a_database_life_recovers_to_an_acknowledged_commit(Durability durability)
    {
        int seed = TestSeed.Next();
        var dryRun = new CrashRun(seed, durability);
        CrashRunResult clean = dryRun.RunScript(Script, long.MaxValue);
        Assert.That(clean.Failure, Is.Null, clean.Failure);
        Assert.That(dryRun.Storage.Exists("crash/db.pagedb-wal2"), Is.True, "the script's held readers make the log switch to its second file");
        long calls = dryRun.Storage.Calls;
        int stride = TestSeed.LongRun ? 1 : (int)Math.Max(1, calls / 300);
        var total = new CrashRunResult();
        for (long crashAt = 1; crashAt <= calls && total.Failure is null; crashAt += stride)
            total.Add(new CrashRun(seed, durability, variant: (int)crashAt).RunScript(Script, crashAt));
        TestContext.Out.WriteLine($"{calls} I/O calls in the script, every {stride}th crashed: {total}");
        Assert.That(total.Failure, Is.Null, total.Failure);
        Assert.That(total.CrashPoints, Is.GreaterThanOrEqualTo(Math.Min(calls, 250)), TestSeed.Describe(seed));
    }
}
