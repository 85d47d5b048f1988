using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by ConcurrentCheckpointPowerLossTests (CI seed 1995062441: 520 commits acknowledged, 423 in the tree after the
/// power loss; the 400-round long mode: a WAL checksum mismatch at recovery) after the background checkpointer began to
/// grow the log file ahead of the writer (511d7a7, taken back in 92594ee). The growth took the current writer without
/// anything that kept it current: the writer could switch away from the file while the growth's zeros were still to be
/// written, the file's generation be copied out and forgotten, and a newer generation begin in the same file under a new
/// writer (with a growth lock of its own) and write frames past the old allocated end. The late zeros then landed on
/// those frames and were synced, and recovery ended the log at the first frame they cut. The growth now holds the
/// log's switch lock, so the file stays the current generation's until its step is written and synced; a switch waits.
/// </summary>
public class GrowthAheadOfASwitchedAwayFileTests
{
    [Test]
    public void A_switch_waits_for_the_background_growth_of_the_file_it_leaves()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        // Growth steps of 64 KiB: the first file is preallocated one step, the background grows it once the writer is
        // half way in, and the threshold (256 KiB) is far off, so only an explicit checkpoint behind a reader switches.
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 256 << 10, Durability = Durability.Normal, BackgroundCheckpoints = true };
        int committer = Environment.CurrentManagedThreadId;
        using var growthStarted = new ManualResetEventSlim();
        using var releaseGrowth = new ManualResetEventSlim();
        int written = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            WriteAheadLog wal = WalOf(db);
            faulty.BeforeWrite = path =>
            {
                // The background's first write to the first log file is the growth's first step of zeros: hold it.
                if (path == DbPath + "-wal" && Environment.CurrentManagedThreadId != committer && !growthStarted.IsSet)
                {
                    growthStarted.Set();
                    releaseGrowth.Wait();
                }
            };
            while (!growthStarted.IsSet)
            {
                if (!wal.NeedsGrowthAhead)
                    Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                else
                    Assert.That(growthStarted.Wait(TimeSpan.FromSeconds(30)), Is.True, "the background began to grow the log");
            }

            Task switching;
            using (ReadTransaction reader = db.BeginRead())
            {
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                // Behind the reader the checkpoint copies nothing new and switches the log to its other file.
                switching = Task.Run(() => db.Checkpoint(CheckpointMode.Passive));
                // A bounded wait, not a timing check: the switch cannot finish while the growth is held.
                bool switchedDuringGrowth = switching.Wait(TimeSpan.FromMilliseconds(500)) || wal.HasOlderGeneration;
                releaseGrowth.Set();
                switching.Wait();
                Assert.That(switchedDuringGrowth, Is.False, "the switch waited for the background's growth of the file it left");
            }
            faulty.BeforeWrite = null;
            // The background may already have copied the generation left behind out and forgotten it; the second file stays.
            Assert.That(faulty.Exists(DbPath + "-wal2"), Is.True, "the switch ran once the growth was done");
            for (int i = 0; i < 50; i++)
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
        }

        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written));
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }
}
