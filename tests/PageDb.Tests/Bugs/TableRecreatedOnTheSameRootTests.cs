using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found while caching table schemas: a <see cref="Table"/> opened in a write transaction before its table was
/// dropped checked, on its next use, only that the catalog still had a table of its name at its root page. A table
/// created again under the name takes the freed root page back from the free list, so the stale object passed the
/// check and decoded the new table's records with the old schema (a CorruptDatabaseException, or wrong values when
/// the layouts happened to fit). The transaction now records each drop, and a table opened before one throws.
/// </summary>
public class TableRecreatedOnTheSameRootTests
{
    [Test]
    public void A_table_opened_before_its_drop_throws_after_the_name_is_used_again()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        var first = new TableSchema("t", [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)], primaryKey: ["id"]);
        var second = new TableSchema("t", [new Column("id", ColumnType.Int64), new Column("score", ColumnType.Double)], primaryKey: ["id"]);
        using (WriteTransaction setup = db.BeginWrite())
        {
            setup.CreateTable(first).Insert(Row.Of(1L, "first"));
            setup.Commit();
        }

        using WriteTransaction tx = db.BeginWrite();
        Table stale = tx.GetTable("t");
        tx.DropTable("t");
        Table created = tx.CreateTable(second);
        created.Insert(Row.Of(1L, 2.5));
        Assert.That(created.Tree.Root, Is.EqualTo(stale.Tree.Root), "the new table should reuse the freed root page");
        Assert.Throws<InvalidOperationException>(() => stale.Get(Row.Of(1L)));
        Assert.Throws<InvalidOperationException>(() => _ = stale.Count);
        Assert.That(created.Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, 2.5)));
    }
}
