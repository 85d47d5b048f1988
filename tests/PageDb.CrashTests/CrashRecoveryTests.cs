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
    [TestCase(Durability.Full, 900)]
    [TestCase(Durability.Normal, 600)]
    public void Recovery_after_random_crashes_keeps_every_acknowledged_commit(Durability durability, int crashPoints)
    {
        int seed = TestSeed.Next();
        var total = new CrashRunResult();
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        // Several shorter runs rather than one long one: each starts from creation, and a database stays small.
        for (int run = 0; total.CrashPoints < crashPoints && total.Failure is null && DateTime.UtcNow < deadline; run++)
            total.Add(new CrashRun(seed + run * 7919, durability).Run(crashPoints: 150, deadline));
        TestContext.Out.WriteLine(total);
        Assert.That(total.Failure, Is.Null, total.Failure);
        Assert.That(total.CrashPoints, Is.GreaterThanOrEqualTo(crashPoints), $"too slow: {total}");
    }
}
