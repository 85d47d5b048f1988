using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>Write transactions larger than the buffer pool spill private pages to the WAL and still commit or roll back whole.</summary>
public class SpillTests
{
    private static PageDbOptions SmallCache(IStorage storage, int cachePages = 32) => new()
    {
        Storage = storage,
        CacheSizeBytes = cachePages * 4096,
        CheckpointThresholdBytes = 1L << 30,
    };

    [Test]
    public void A_transaction_many_times_the_pool_commits_whole()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = PageDatabase.Open(DbPath, SmallCache(storage)))
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 20_000; i++)
                t.Put(Bytes($"key{i:D6}"), Bytes($"value {i} " + new string('x', 40)));
            Assert.That(t.Count, Is.EqualTo(20_000));
            tx.Commit();
        }
        using (PageDatabase db = PageDatabase.Open(DbPath, SmallCache(storage)))
        {
            using (ReadTransaction tx = db.BeginRead())
            {
                Tree t = tx.GetTree("t");
                Assert.That(t.Count, Is.EqualTo(20_000));
                for (int i = 0; i < 20_000; i += 997)
                    Assert.That(Text(t.Get(Bytes($"key{i:D6}"))), Does.StartWith($"value {i} "));
            }
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    [Test]
    public void An_ascending_load_many_times_the_pool_logs_each_page_about_once()
    {
        // The least recently written pages are spilled first: an ascending load never writes its old leaves again, and
        // the pages it keeps writing (the header, the root, the rightmost path) stay in memory instead of being logged
        // at every spill.
        using PageDatabase db = PageDatabase.Open(DbPath, SmallCache(new MemoryStorage()));
        long before = FramesLogged(db.GetStats());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 20_000; i++)
                t.Put(Bytes($"key{i:D6}"), Bytes($"value {i} " + new string('x', 40)));
            tx.Commit();
        }
        DatabaseStats stats = db.GetStats();
        long frames = FramesLogged(stats) - before;
        Assert.That((double)frames / stats.PageCount, Is.LessThan(1.05), $"{frames} frames for {stats.PageCount} pages");
    }

    [Test]
    public void A_transaction_that_fits_in_three_quarters_of_the_pool_does_not_spill()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, SmallCache(new MemoryStorage(), cachePages: 64));
        var random = new Random(7);
        long before = FramesLogged(db.GetStats());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 1_300; i++)
                t.Put(Bytes($"key{random.Next():D10}"), Bytes(new string('v', 60)));
            tx.Commit();
        }
        DatabaseStats stats = db.GetStats();
        // Page 0 is not logged: the transaction grew the database but left the free list and the catalog root as they
        // were, and the commit frame holds the page count (docs/FORMAT.md, "Unlogged growth").
        Assert.That(FramesLogged(stats) - before, Is.EqualTo(stats.PageCount - 1), "every page but the header logged exactly once, at commit");
        Assert.That(stats.PageCount, Is.GreaterThan(64 / 2), "more pages than half the pool (the old spill threshold)");
    }

    /// <summary>Frames in the log (nothing is checkpointed while the database is open: the threshold is 1 GiB).</summary>
    private static long FramesLogged(DatabaseStats stats) => stats.WalFrames;

    [Test]
    public void A_spilled_transaction_rolls_back_whole_and_its_frames_never_resurface()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, SmallCache(new MemoryStorage()));
        Put(db, "t", ("seed", "0"));
        FillTree(db, "rolled back", commit: false);
        using (ReadTransaction tx = db.BeginRead())
            Assert.That(tx.GetTree("t").Count, Is.EqualTo(1));
        // The same pages written again in the same order reuse the rolled-back frames' file space in the WAL.
        FillTree(db, "committed", commit: true);
        using (ReadTransaction tx = db.BeginRead())
        {
            using Cursor cursor = tx.GetTree("t").OpenCursor();
            int rows = 0;
            for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            {
                if (Text(cursor.Key) != "seed")
                    Assert.That(Text(cursor.Value), Does.StartWith("committed"), Text(cursor.Key));
                rows++;
            }
            Assert.That(rows, Is.EqualTo(5001));
        }
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    private static void FillTree(PageDatabase db, string text, bool commit)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.GetTree("t");
        for (int i = 0; i < 5000; i++)
            t.Put(Bytes($"key{i:D6}"), Bytes($"{text} {i} " + new string('y', 60)));
        if (commit)
            tx.Commit();
    }
}
