using PageDb.CrashTests.Harness;
using PageDb.Testing;

namespace PageDb.CrashTests;

/// <summary>
/// Random workloads crashed at random I/O calls (mid-commit, mid-checkpoint, during WAL restarts, compaction,
/// creation and recovery itself); after every crash the recovered database must hold an acceptable commit and pass
/// the integrity check. The default run checks at least 2,000 crash points across the durability levels.
/// </summary>
public class CrashRecoveryTests
{
    /// <summary>PAGEDB_LONG=1: 10,000 random power losses (6,000 Full, 4,000 Normal) instead of 1,500.</summary>
    [TestCase(Durability.Full, 900, 6_000)]
    [TestCase(Durability.Normal, 600, 4_000)]
    public void Recovery_after_random_crashes_keeps_every_acknowledged_commit(Durability durability, int crashPoints, int longRunCrashPoints) =>
        RunCrashes(TestSeed.LongRun ? longRunCrashPoints : crashPoints, seed => new CrashRun(seed, durability));

    /// <summary>zstd-compressed frames (<see cref="PageDbOptions.CompressWal"/>) recover like plain ones.</summary>
    [Test]
    public void Recovery_of_a_compressed_WAL_keeps_every_acknowledged_commit() =>
        RunCrashes(300, seed => new CrashRun(seed, Durability.Full, compressWal: true));

    /// <summary>
    /// <see cref="Durability.None"/> never syncs, but when only the process dies the OS keeps every write it made, so
    /// nothing committed is lost (what a power loss does to it: <see cref="DurabilityNoneTests"/>).
    /// </summary>
    [Test]
    public void Durability_None_loses_no_acknowledged_commit_when_the_process_dies() =>
        RunCrashes(300, seed => new CrashRun(seed, Durability.None, crashKind: CrashKind.ProcessCrash));

    private static void RunCrashes(int crashPoints, Func<int, CrashRun> newRun)
    {
        int seed = TestSeed.Next();
        var total = new CrashRunResult();
        // The amount of work is fixed, not the time: a loaded machine takes longer and checks as much. Several shorter
        // runs rather than one long one: each starts from creation, and a database stays small.
        for (int run = 0; total.CrashPoints < crashPoints && total.Failure is null; run++)
        {
            using CrashRun crashRun = newRun(seed + run * 7919);
            total.Add(crashRun.Run(crashPoints: 150, DateTime.MaxValue));
        }
        TestContext.Out.WriteLine(total);
        Assert.That(total.Failure, Is.Null, total.Failure);
    }

    /// <summary>
    /// The long mode: PAGEDB_TORTURE_MINUTES=N runs random crash runs of both durability levels, with fresh seeds,
    /// for N minutes, going on past failures, and prints the counts and every failure with its seed.
    /// </summary>
    [Test]
    public void Torture_for_the_given_minutes()
    {
        string? minutes = Environment.GetEnvironmentVariable("PAGEDB_TORTURE_MINUTES");
        if (minutes is null)
            Assert.Ignore("set PAGEDB_TORTURE_MINUTES=N to run the crash harness for N minutes");
        DateTime deadline = DateTime.UtcNow.AddMinutes(double.Parse(minutes, System.Globalization.CultureInfo.InvariantCulture));
        int seed = TestSeed.Next();
        var total = new CrashRunResult();
        var failures = new List<string>();
        for (int run = 0; DateTime.UtcNow < deadline; run++)
        {
            Durability durability = run % 2 == 0 ? Durability.Full : Durability.Normal;
            using var crashRun = new CrashRun(seed + run, durability);
            CrashRunResult result = crashRun.Run(crashPoints: 500, deadline);
            if (result.Failure is { } failure)
                failures.Add(failure);
            result.Failure = null;
            total.Add(result);
            if (run % 20 == 0)
                TestContext.Progress.WriteLine($"after {run + 1} runs: {total}, {failures.Count} failures");
        }
        TestContext.Out.WriteLine($"torture: {total}, {failures.Count} failures");
        foreach (string failure in failures)
            TestContext.Out.WriteLine(failure);
        Assert.That(failures, Is.Empty, $"{failures.Count} failures; the first: {failures.FirstOrDefault()}");
    }
}
