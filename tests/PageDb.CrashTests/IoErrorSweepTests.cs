using PageDb.CrashTests.Harness;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;
using static PageDb.CrashTests.Harness.WorkloadAction;

namespace PageDb.CrashTests;

/// <summary>
/// A small database life with one I/O call failing (an I/O error or a full disk), for each call in turn: the failure
/// must surface as <see cref="PageDbIOException"/> (at the call's operation, or, when a step of the background thread
/// failed, at the next write or else at the close), never as another exception or a silent success; after reopening (directly, or
/// after a crash) the database passes the integrity check and holds every acknowledged commit.
/// </summary>
public class IoErrorSweepTests
{
    private const string DbPath = "io/db.pagedb";

    private static readonly WorkloadAction[] Script =
    [
        Commit, LargeCommit, Rollback, Commit, PassiveCheckpoint, Commit, FullCheckpoint, Commit, Compact, Reopen,
        Commit, Verify,
    ];

    [Test]
    public void Every_failed_IO_call_is_reported_and_loses_no_acknowledged_commit()
    {
        int seed = TestSeed.Next();
        long calls = CountCalls(seed);
        int checkedFailures = 0;
        for (long failAt = 1; failAt <= calls; failAt++)
        {
            string context = $"I/O call {failAt} of {calls} failing; {TestSeed.Describe(seed)}";
            var storage = new FaultInjectingStorage();
            storage.FailCall(failAt, failAt % 2 == 0 ? IoFailure.DiskFull : IoFailure.IOError);
            Workload workload = NewWorkload(seed, storage);
            Exception? surfaced = RunScript(workload);
            if (storage.InjectedFailures == 0)
                continue; // the run took another path and ended before this call
            if (surfaced is null)
                surfaced = TryOneMoreWrite(workload);
            Assert.That(surfaced, Is.InstanceOf<PageDbIOException>(), $"the failure must surface as PageDbIOException: {context}; got {surfaced}");
            workload.Abandon();
            if (failAt % 3 == 0)
                storage.Crash((int)failAt); // and a power loss on top of it
            storage.ClearFailures();
            CheckRecovered(storage, workload, crashSeed: (int)failAt, context);
            checkedFailures++;
        }
        TestContext.Out.WriteLine($"{calls} I/O calls, {checkedFailures} injected failures checked");
        Assert.That(checkedFailures, Is.GreaterThan(calls / 2), TestSeed.Describe(seed));
    }

    private static long CountCalls(int seed)
    {
        var storage = new FaultInjectingStorage();
        Workload workload = NewWorkload(seed, storage);
        Exception? unexpected = RunScript(workload);
        Assert.That(unexpected, Is.Null, $"the script fails without any injected failure; {TestSeed.Describe(seed)}");
        workload.Abandon();
        return storage.Calls;
    }

    private static Workload NewWorkload(int seed, FaultInjectingStorage storage)
    {
        var options = new PageDbOptions
        {
            Storage = storage,
            Durability = Durability.Full,
            CacheSizeBytes = 32 * 4096,
            CheckpointThresholdBytes = 64 << 10,
        };
        return new Workload(new Random(seed), () => PageDatabase.Open(DbPath, options), new WorkloadModel());
    }

    /// <summary>Runs the script until an operation throws; returns what it threw (null when it ran to the end).</summary>
    private static Exception? RunScript(Workload workload)
    {
        try
        {
            workload.Open();
            foreach (WorkloadAction action in Script)
                workload.Run(action);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }
    }

    /// <summary>A failure the committer was not told of (an automatic checkpoint after a commit) poisons the next write.</summary>
    private static Exception? TryOneMoreWrite(Workload workload)
    {
        try
        {
            workload.Run(Commit);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e;
        }
    }

    /// <summary>
    /// Reopens and checks; then commits once more and loses power while the database is open: that commit was
    /// acknowledged after a reopen "to recover", so it must survive (a failed sync drops its writes from write-back,
    /// so the reopen must make what it recovered durable first).
    /// </summary>
    private static void CheckRecovered(FaultInjectingStorage storage, Workload workload, int crashSeed, string context)
    {
        workload.Open();
        WorkloadModel found = CheckHolds(workload.Database!, workload.Committed.Digest, workload.InFlight?.Digest, context);
        workload.ResetTo(found);
        workload.Run(Commit);
        storage.Crash(crashSeed);
        workload.Abandon();
        workload.Open();
        CheckHolds(workload.Database!, workload.Committed.Digest, null, "after a commit acknowledged after the reopen, then a power loss: " + context);
        workload.Abandon();
    }

    private static WorkloadModel CheckHolds(PageDatabase db, ulong expected, ulong? orInFlight, string context)
    {
        WorkloadModel found = WorkloadModel.Load(db);
        Assert.That(found.Digest, Is.EqualTo(expected).Or.EqualTo(orInFlight ?? expected),
            $"recovered {found}, expected digest {expected:x16} or in flight {orInFlight:x16}: {context}");
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, $"{report}: {context}");
        return found;
    }
}
