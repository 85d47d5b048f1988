using System.Buffers.Binary;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>GetStats: the fill histogram and the per-tree shapes agree with the page census and with what was stored.</summary>
public class StatsTests
{
    [Test]
    public void Every_tree_is_listed_with_its_height_entries_and_pages()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree small = tx.CreateTree("small");
            small.Put("a"u8, "1"u8);
            small.Put("b"u8, "2"u8);
            small.Put("c"u8, new byte[20_000]);
            Tree big = tx.CreateTree("big");
            Span<byte> key = stackalloc byte[8];
            for (long i = 0; i < 20_000; i++)
            {
                BinaryPrimitives.WriteInt64BigEndian(key, i);
                big.Put(key, new byte[100]);
            }
            tx.Commit();
        }

        DatabaseStats stats = db.GetStats();

        Assert.That(stats.Trees.Select(t => (t.Name, t.Kind)),
            Is.EqualTo(new[] { ("(catalog)", "catalog"), ("big", "tree"), ("small", "tree") }));
        TreeStats smallTree = stats.Trees.Single(t => t.Name == "small");
        Assert.That((smallTree.Height, smallTree.Entries, smallTree.LeafPages, smallTree.InteriorPages), Is.EqualTo((1, 3L, 1L, 0L)));
        Assert.That(smallTree.OverflowPages, Is.GreaterThanOrEqualTo(4), "20,000 bytes do not fit one 4 KB page");
        TreeStats bigTree = stats.Trees.Single(t => t.Name == "big");
        Assert.That(bigTree.Entries, Is.EqualTo(20_000));
        Assert.That(bigTree.Height, Is.EqualTo(3), "20,000 x 120-byte cells: ~650 leaves, more than one interior page holds");
        Assert.That(bigTree.LeafFill, Is.GreaterThan(0.9), "ascending inserts fill leaves");
        Assert.That(stats.Trees.Sum(t => t.LeafPages + t.InteriorPages), Is.EqualTo(TreePages(stats)));
        Assert.That(stats.Trees.Sum(t => t.OverflowPages), Is.EqualTo(stats.PagesByType.GetValueOrDefault("Overflow")));
    }

    [Test]
    public void The_fill_histogram_counts_every_tree_page_once_and_moves_down_when_entries_are_deleted()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        Span<byte> key = stackalloc byte[8];
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree tree = tx.CreateTree("t");
            for (long i = 0; i < 10_000; i++)
            {
                BinaryPrimitives.WriteInt64BigEndian(key, i);
                tree.Put(key, new byte[100]);
            }
            tx.Commit();
        }
        DatabaseStats full = db.GetStats();
        Assert.That(full.FillHistogram, Has.Count.EqualTo(10));
        Assert.That(full.FillHistogram.Sum(), Is.EqualTo(TreePages(full)));
        Assert.That(full.FillHistogram[9], Is.GreaterThan(full.FillHistogram.Sum() / 2), "ascending inserts leave most pages 90-100% full");

        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree tree = tx.GetTree("t");
            for (long i = 0; i < 10_000; i++)
            {
                if (i % 3 == 0)
                    continue;
                BinaryPrimitives.WriteInt64BigEndian(key, i);
                tree.Delete(key);
            }
            tx.Commit();
        }
        DatabaseStats thinned = db.GetStats();
        Assert.That(thinned.FillHistogram.Sum(), Is.EqualTo(TreePages(thinned)));
        Assert.That(thinned.FillHistogram[9], Is.LessThan(thinned.FillHistogram.Sum() / 2),
            "deleting two of every three entries leaves most pages well under 90% full: " + string.Join(",", thinned.FillHistogram));
    }

    [Test]
    public void A_table_and_its_index_are_listed_under_their_names_with_a_row_each()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table orders = tx.CreateTable(new TableSchema("orders",
                [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String)], primaryKey: ["id"]));
            orders.CreateIndex("by_customer", ["customer"]);
            for (long i = 0; i < 500; i++)
                orders.Insert(Row.Of(i, "customer " + (i % 7)));
            tx.Commit();
        }

        DatabaseStats stats = db.GetStats();

        Assert.That(stats.Trees.Where(t => t.Kind != "catalog").Select(t => (t.Name, t.Kind, t.Entries)),
            Is.EqualTo(new[] { ("orders", "table", 500L), ("orders.by_customer", "index", 500L) }));
        Assert.That(stats.TreeCount, Is.EqualTo(2));
    }

    private static long TreePages(DatabaseStats stats) =>
        stats.PagesByType.GetValueOrDefault("BtreeLeaf") + stats.PagesByType.GetValueOrDefault("BtreeInterior");
}
