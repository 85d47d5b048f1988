using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Read transactions take a table's or tree's root and definition from <see cref="Engine.CatalogLookupCache"/> when a
/// reader of the same snapshot looked it up before: a reader of an older snapshot and one of a newer snapshot, each
/// opening the same name again and again, see only what their own snapshot holds.
/// </summary>
public class CatalogLookupCacheTests
{
    private static readonly TableSchema Before = new("items", [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)], primaryKey: ["id"]);
    private static readonly TableSchema After = new("items", [new Column("id", ColumnType.Int64), new Column("price", ColumnType.Double)], primaryKey: ["id"]);

    [Test]
    public void Readers_of_old_and_new_snapshots_keep_seeing_their_own_table_and_tree()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        Write(db, tx =>
        {
            tx.CreateTable(Before).Insert(Row.Of(1L, "one"));
            tx.CreateTree("kv").Put([1], [1]);
        });
        using ReadTransaction old = db.BeginRead();
        Assert.That(old.GetTable("items").Get(Row.Of(1L))!.GetString(1), Is.EqualTo("one"));
        Write(db, tx =>
        {
            tx.DropTable("items");
            tx.CreateTable(After).Insert(Row.Of(1L, 2.5));
            tx.DropTree("kv");
        });

        for (int i = 0; i < 3; i++)
        {
            using ReadTransaction current = db.BeginRead();
            Assert.That(current.GetTable("items").Get(Row.Of(1L))!.GetDouble(1), Is.EqualTo(2.5));
            Assert.That(current.TryGetTree("kv", out _), Is.False);
            Assert.That(old.GetTable("items").Get(Row.Of(1L))!.GetString(1), Is.EqualTo("one"));
            Assert.That(old.GetTree("kv").Get([1]), Is.EqualTo(new byte[] { 1 }));
        }
    }

    [Test]
    public void A_write_transaction_sees_its_own_catalog_changes_after_readers_cached_the_old_one()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        Write(db, tx => tx.CreateTable(Before));
        using (ReadTransaction reader = db.BeginRead())
            Assert.That(reader.GetTable("items").Schema.Columns[1].Name, Is.EqualTo("name"));
        using WriteTransaction writer = db.BeginWrite();
        writer.DropTable("items");
        writer.CreateTable(After);
        Assert.That(writer.GetTable("items").Schema.Columns[1].Name, Is.EqualTo("price"));
    }

    private static void Write(PageDatabase db, Action<WriteTransaction> change)
    {
        using WriteTransaction tx = db.BeginWrite();
        change(tx);
        tx.Commit();
    }
}
