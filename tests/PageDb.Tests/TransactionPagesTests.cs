using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Page allocation through transactions (<c>Engine/TransactionPages.cs</c>): freed pages, tree pages and overflow
/// chains alike, are reused before the file grows, across commits, checkpoints and reopening, and no page is lost.
/// These were the plain pager's tests before it was removed: the engine's transactions are the one place pages grow.
/// </summary>
public class TransactionPagesTests
{
    [Test]
    public void Freed_tree_and_overflow_pages_are_reused_before_the_file_grows_across_reopen()
    {
        var storage = new MemoryStorage();
        long grown;
        using (PageDatabase db = Open(storage))
        {
            Fill(db, "a", generation: 1);
            grown = db.GetStats().PageCount;
            using (WriteTransaction tx = db.BeginWrite())
            {
                tx.DropTree("a");
                tx.Commit();
            }
            db.Checkpoint(CheckpointMode.Truncate);
            Assert.That(db.GetStats().FreePages, Is.GreaterThan(grown / 2), "the dropped tree's pages are free");
        }
        using (PageDatabase db = Open(storage))
        {
            Fill(db, "b", generation: 2);
            Assert.That(db.GetStats().PageCount, Is.LessThanOrEqualTo(grown + 1), "the second tree took the first one's pages");
            AssertContents(db, "b", generation: 2);
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    [Test]
    public void Randomized_puts_and_deletes_with_reopens_lose_no_page_and_keep_every_value()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var storage = new MemoryStorage();
        var model = new Dictionary<int, byte[]>();
        for (int round = 0; round < 6; round++)
        {
            using PageDatabase db = Open(storage, Durability.None);
            using (WriteTransaction tx = db.BeginWrite())
            {
                Tree tree = tx.GetOrCreateTree("t");
                for (int i = 0; i < 300; i++)
                {
                    int key = random.Next(200);
                    if (random.Next(3) == 0)
                    {
                        tree.Delete(BitConverter.GetBytes(key));
                        model.Remove(key);
                        continue;
                    }
                    byte[] value = new byte[random.Next(4) == 0 ? random.Next(5_000, 20_000) : random.Next(1, 200)];
                    random.NextBytes(value);
                    tree.Put(BitConverter.GetBytes(key), value);
                    model[key] = value;
                }
                tx.Commit();
            }
            if (random.Next(2) == 0)
                db.Checkpoint(CheckpointMode.Truncate);
            IntegrityReport report = db.CheckIntegrity();
            Assert.That(report.IsOk, Is.True, $"round {round}: {report}; {TestSeed.Describe(seed)}");
            using ReadTransaction read = db.BeginRead();
            Tree t = read.GetTree("t");
            Assert.That(t.Count, Is.EqualTo(model.Count), TestSeed.Describe(seed));
            foreach ((int key, byte[] value) in model)
                Assert.That(t.Get(BitConverter.GetBytes(key)), Is.EqualTo(value), $"key {key}; {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void Pages_grown_and_freed_in_one_transaction_are_accounted_after_checkpoint_and_reopen()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
        {
            using (WriteTransaction tx = db.BeginWrite())
            {
                Tree tree = tx.CreateTree("t");
                tree.Put([1], new byte[40_000]); // grows the file by a chain of overflow pages
                tree.Put([2], [2]);
                tree.Delete([1]);                // frees the chain, the newest pages, before anything is written
                tx.Commit();
            }
            db.Checkpoint(CheckpointMode.Truncate);
        }
        using (PageDatabase db = Open(storage))
        {
            IntegrityReport report = db.CheckIntegrity();
            Assert.That(report.IsOk, Is.True, report.ToString());
            Assert.That(db.GetStats().FreePages, Is.GreaterThan(0));
            using ReadTransaction tx = db.BeginRead();
            Assert.That(tx.GetTree("t").Get([2]), Is.EqualTo(new byte[] { 2 }));
        }
    }

    /// <summary>Puts 400 keys, every tenth with a value needing overflow pages, in one transaction.</summary>
    private static void Fill(PageDatabase db, string name, int generation)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree tree = tx.CreateTree(name);
        for (int i = 0; i < 400; i++)
            tree.Put(BitConverter.GetBytes(i), Value(i, generation));
        tx.Commit();
    }

    private static void AssertContents(PageDatabase db, string name, int generation)
    {
        using ReadTransaction tx = db.BeginRead();
        Tree tree = tx.GetTree(name);
        for (int i = 0; i < 400; i++)
            Assert.That(tree.Get(BitConverter.GetBytes(i)), Is.EqualTo(Value(i, generation)), $"key {i}");
    }

    private static byte[] Value(int i, int generation)
    {
        byte[] value = new byte[i % 10 == 0 ? 9_000 : 100];
        Array.Fill(value, (byte)(i * generation));
        return value;
    }
}
