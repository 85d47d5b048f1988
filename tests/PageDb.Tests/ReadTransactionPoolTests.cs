using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Read transactions take their snapshot's pages (and the trees opened through them) from the engine's pool and give
/// them back at their end. A reused one must not leak between transactions: an ended transaction's trees and tables
/// refuse to read, even once a later transaction at a newer snapshot holds the very same pages object, and open
/// transactions keep their own snapshots.
/// </summary>
public class ReadTransactionPoolTests
{
    private static readonly TableSchema Items = new("items",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)],
        primaryKey: ["id"]);

    private static readonly byte[] Key = [1, 2, 3];

    [Test]
    public void An_ended_transaction_refuses_to_read_through_pages_a_later_transaction_took_from_the_pool()
    {
        using PageDatabase db = Filled("old");
        ReadTransaction ended = db.BeginRead();
        Tree tree = ended.GetTree("kv");
        Table items = ended.GetTable("items");
        ended.Dispose();
        Write(db, "new");

        using ReadTransaction later = db.BeginRead();

        Assert.That(later.Pages, Is.SameAs(ended.Pages), "the later transaction reuses the ended one's pages (else this test proves nothing)");
        Assert.Throws<InvalidOperationException>(() => tree.Get(Key));
        Assert.Throws<InvalidOperationException>(() => tree.TryRead(Key, 0, static (_, _) => { }));
        Assert.Throws<InvalidOperationException>(() => items.TryGet(1L, new RowBuffer()));
        Assert.Throws<InvalidOperationException>(() => ended.GetTree("kv"));
        Assert.Throws<InvalidOperationException>(() => ended.GetTable("items"));
        Assert.That(later.GetTree("kv").Get(Key), Is.EqualTo("new"u8.ToArray()));
        var row = new RowBuffer();
        Assert.That(later.GetTable("items").TryGet(1L, row), Is.True);
        Assert.That(row.GetString(1), Is.EqualTo("new"));
    }

    [Test]
    public void Transactions_open_across_reuses_of_pooled_pages_keep_their_own_snapshots()
    {
        using PageDatabase db = Filled("v0");
        var open = new List<(ReadTransaction Transaction, string Expected)>();
        for (int version = 1; version <= 20; version++)
        {
            // Begin and end one at the current state, so the pool hands its pages to the next begins.
            db.BeginRead().Dispose();
            open.Add((db.BeginRead(), "v" + (version - 1)));
            if (version % 3 == 0)
            {
                open[0].Transaction.Dispose();
                open.RemoveAt(0);
            }
            Write(db, "v" + version);
            foreach ((ReadTransaction transaction, string expected) in open)
            {
                Assert.That(transaction.GetTree("kv").Get(Key), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(expected)), $"after version {version}");
                var row = new RowBuffer();
                Assert.That(transaction.GetTable("items").TryGet(1L, row) && row.GetString(1) == expected, Is.True, $"after version {version}");
            }
        }
        foreach ((ReadTransaction transaction, _) in open)
            transaction.Dispose();
    }

    [Test]
    public void A_warm_lookup_in_a_transaction_of_its_own_allocates_only_the_transaction_and_tree_objects()
    {
        using PageDatabase db = Filled("value");
        var row = new RowBuffer();
        long found = 0;

        long treeBytes = ReadAllocationTests.Measure(i =>
        {
            using ReadTransaction tx = db.BeginRead();
            found += tx.GetTree("kv").TryRead(Key, 0, static (_, _) => { }) ? 1 : 0;
        });
        long tableBytes = ReadAllocationTests.Measure(i =>
        {
            using ReadTransaction tx = db.BeginRead();
            found += tx.GetTable("items").TryGet(1L, row) ? 1 : 0;
        });

        Assert.That(found, Is.EqualTo(4L * ReadAllocationTests.Calls));
        // The handles a caller holds (ReadTransaction, Tree, Table) are new objects, so an ended one is never a later
        // one; the snapshot's pages, its B+tree objects and the lookup's key buffer come from pools.
        Assert.That(treeBytes / ReadAllocationTests.Calls, Is.LessThanOrEqualTo(MaxHandleBytes), "bytes per key-value lookup");
        Assert.That(tableBytes / ReadAllocationTests.Calls, Is.LessThanOrEqualTo(MaxHandleBytes), "bytes per table lookup");
    }

    // A read transaction handle (about 100 bytes) and a tree or table handle (40 to 100 bytes).
    private const int MaxHandleBytes = 200;

    private static PageDatabase Filled(string value)
    {
        PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTree("kv");
            tx.CreateTable(Items);
            tx.Commit();
        }
        Write(db, value);
        return db;
    }

    private static void Write(PageDatabase db, string value)
    {
        using WriteTransaction tx = db.BeginWrite();
        tx.GetTree("kv").Put(Key, System.Text.Encoding.UTF8.GetBytes(value));
        tx.GetTable("items").Upsert(Row.Of(1L, value));
        tx.Commit();
    }
}
