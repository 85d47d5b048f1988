using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// When the log forgets its older file, the file is shrunk to its header only when it grew past twice the threshold
/// and past twice the current generation (<c>WriteAheadLog.ShrinkAbove</c>): readers that hold the log as long as
/// the replicator's mark does would otherwise make every generation regrow its file step by step, zeros and a
/// metadata sync per step, some on the commit path (issue 17, docs/benchmarks.md "Replication: the regrowing log").
/// The writer checkpoints itself here (no background thread), so each step happens at a known commit.
/// </summary>
public class ForgottenLogFileShrinkTests
{
    private const long Threshold = 64 << 10;

    [Test]
    public void A_forgotten_file_is_kept_while_the_current_generation_is_as_long_and_shrunk_once_it_is_short()
    {
        var memory = new MemoryStorage();
        var options = new PageDbOptions { Storage = memory, CheckpointThresholdBytes = Threshold, Durability = Durability.Normal, BackgroundCheckpoints = false };
        int written = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            WriteAheadLog wal = WalOf(db);
            void Commit() => Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
            void CommitUntilSwitched()
            {
                ulong generation = wal.CheckpointSequence;
                while (wal.CheckpointSequence == generation)
                    Commit();
            }
            void CommitUntilLogPast(long bytes)
            {
                while (wal.LogBytes <= bytes)
                    Commit();
            }

            // -wal2 grows to four thresholds behind a reader that holds -wal's generation.
            Commit();
            ReadTransaction first = db.BeginRead();
            Commit();
            CommitUntilSwitched();
            CommitUntilLogPast(4 * Threshold);
            // A second reader holds -wal2's generation; the first leaves, so -wal is forgotten and the log switches back.
            ReadTransaction second = db.BeginRead();
            Commit(); // so 'second' is older than -wal2's last commit: it holds that generation
            first.Dispose();
            CommitUntilSwitched();
            long grown = memory.GetContents(DbPath + "-wal2").Length;
            Assert.That(grown, Is.GreaterThan(4 * Threshold), "the reader let -wal2 grow past four thresholds");
            // The current generation grows as long as -wal2's did: forgetting -wal2 then keeps its length.
            CommitUntilLogPast(3 * Threshold);
            ReadTransaction third = db.BeginRead();
            Commit();
            second.Dispose();
            CommitUntilSwitched();
            Assert.That(memory.GetContents(DbPath + "-wal2"), Has.Length.EqualTo(grown),
                "-wal2 is no longer than twice the current generation: kept for the switch into it");
            // With no reader the next generations stay near the threshold: the next forget of the long -wal shrinks it.
            third.Dispose();
            for (int switches = 0; switches < 4; switches++)
                CommitUntilSwitched();
            Assert.That(memory.GetContents(DbPath + "-wal"), Has.Length.LessThanOrEqualTo(2 * Threshold), "once no reader holds the log, -wal was shrunk at its forget");
            Assert.That(memory.GetContents(DbPath + "-wal2"), Has.Length.LessThanOrEqualTo(2 * Threshold), "and so was -wal2");
        }

        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written));
    }
}
