using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>Write transactions larger than the buffer pool spill private pages to the WAL and still commit or roll back whole.</summary>
public class SpillTests
{
    private static PageDbOptions SmallCache(IStorage storage) => new()
    {
        Storage = storage,
        CacheSizeBytes = 32 * 4096,
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
