using PageDb.Core.Pages;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;

namespace PageDb.Wal.Tests;

/// <summary>
/// <see cref="WriteAheadLog.IsSwitchPrepared"/> is asked at every commit past the checkpoint threshold until the
/// background has prepared the switch (StorageEngine.MaintainLog): while the answer is no for an in-memory reason, it
/// must not query the other file's length (a system call per one-row commit: 3.5% of the committing thread's CPU).
/// </summary>
public class SwitchPreparedQueryTests
{
    [Test]
    public void Asking_whether_the_switch_is_prepared_queries_no_file_length_while_the_sync_ahead_lags()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var storage = new FaultInjectingStorage();
        var options = new WalOptions { PageSize = 4096, DatabaseId = 7, GrowthStep = 64 * 1024, SyncEnabled = true };
        using var wal = WriteAheadLog.Open(storage, "prepared/db.pagedb", options);
        Commit(wal, random);
        wal.PrepareSwitch(); // the other file's next header is written: only the sync ahead can fall behind now
        Assert.That(wal.IsSwitchPrepared, Is.True, TestSeed.Describe(seed));

        // The engine switches at the first yes; each no (the writer ran past the sync ahead) is one commit's question.
        long queriesInNoAnswers = 0;
        long queriesInCommits = 0;
        int noAnswers = 0;
        const int Commits = 200; // one page each: far more than SwitchResidualBytes past the sync ahead
        for (int i = 0; i < Commits; i++)
        {
            long before = storage.LengthQueries;
            Commit(wal, random);
            long afterCommit = storage.LengthQueries;
            queriesInCommits += afterCommit - before;
            if (!wal.IsSwitchPrepared)
            {
                noAnswers++;
                queriesInNoAnswers += storage.LengthQueries - afterCommit;
            }
        }

        Assert.That(noAnswers, Is.GreaterThan(Commits / 2), "the writer ran past the sync ahead; " + TestSeed.Describe(seed));
        Assert.That(queriesInNoAnswers, Is.Zero, "length queries by IsSwitchPrepared answering no; " + TestSeed.Describe(seed));
        Assert.That(queriesInCommits, Is.Zero, "length queries by the commits themselves; " + TestSeed.Describe(seed));
        wal.PrepareSwitch(); // syncs ahead again: the switch is prepared once more, so the check still says yes
        Assert.That(wal.IsSwitchPrepared, Is.True, TestSeed.Describe(seed));
    }

    /// <summary>A commit of one random page of 1-16.</summary>
    private static void Commit(WriteAheadLog wal, Random random)
    {
        byte[] image = new byte[4096];
        random.NextBytes(image);
        wal.Commit(new PageNumber((uint)random.Next(1, 17)), image, 17, sync: false);
    }
}
