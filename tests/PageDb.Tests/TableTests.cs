using PageDb.Execution;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

public class TableTests
{
    private static TableSchema Orders() => new("orders",
        [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String),
         new Column("total", ColumnType.Double, Nullable: true)],
        primaryKey: ["id"]);

    [Test]
    public void Insert_get_upsert_delete()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table orders = tx.CreateTable(Orders());
        orders.Insert(Row.Of(1L, "alice", 12.5));
        orders.Insert(Row.Of(2L, "bob", null));
        Assert.That(orders.Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, "alice", 12.5)));
        Assert.That(orders.Get(Row.Of(2L))!.IsNull(2), Is.True);
        Assert.That(orders.Get(Row.Of(3L)), Is.Null);
        orders.Upsert(Row.Of(1L, "alice", 20.0));
        orders.Upsert(Row.Of(3L, "carol", 1.0));
        Assert.That(orders.Get(Row.Of(1L))!.GetDouble(2), Is.EqualTo(20.0));
        Assert.That(orders.Count, Is.EqualTo(3));
        Assert.That(orders.Delete(Row.Of(2L)), Is.True);
        Assert.That(orders.Delete(Row.Of(2L)), Is.False);
        Assert.That(orders.Count, Is.EqualTo(2));
        tx.Commit();
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void Update_replaces_a_row_by_key_moves_it_when_the_key_changes_and_keeps_a_row_id()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table orders = tx.CreateTable(Orders());
        orders.Insert(Row.Of(1L, "alice", 12.5));
        orders.Insert(Row.Of(2L, "bob", 1.0));
        orders.CreateIndex("by_customer", ["customer"], unique: true);
        Assert.That(orders.Update(Row.Of(1L), Row.Of(1L, "alice", 20.0)), Is.True);
        Assert.That(orders.Update(Row.Of(1L), Row.Of(5L, "ann", 20.0)), Is.True);
        Assert.That((orders.Get(Row.Of(1L)), orders.Get(Row.Of(5L))), Is.EqualTo(((Row?)null, (Row?)Row.Of(5L, "ann", 20.0))));
        Assert.That(orders.Update(Row.Of(9L), Row.Of(9L, "x", 0.0)), Is.False);
        Assert.Throws<ConstraintViolationException>(() => orders.Update(Row.Of(5L), Row.Of(2L, "ann", 0.0)));
        Assert.Throws<ConstraintViolationException>(() => orders.Update(Row.Of(5L), Row.Of(5L, "bob", 0.0)));
        Assert.That(orders.IndexScan("by_customer", Row.Of("ann"), Row.Of("ann")).Select(r => r.GetInt64(0)), Is.EqualTo(new[] { 5L }));

        Table log = tx.CreateTable(new TableSchema("log", [new Column("text", ColumnType.String)]));
        log.Insert(Row.Of("first"));
        log.Insert(Row.Of("second"));
        Assert.That(log.Update(Row.Of(1L), Row.Of("changed")), Is.True);
        Assert.That(log.Scan().Select(r => r.GetString(0)), Is.EqualTo(new[] { "changed", "second" }));
        tx.Commit();
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void A_duplicate_key_throws_and_changes_nothing()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table orders = tx.CreateTable(Orders());
        orders.Insert(Row.Of(1L, "alice", 12.5));
        Assert.Throws<ConstraintViolationException>(() => orders.Insert(Row.Of(1L, "mallory", 0.0)));
        Assert.That(orders.Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, "alice", 12.5)));
        Assert.That(orders.Count, Is.EqualTo(1));

        orders.CreateIndex("by_customer", ["customer"], unique: true); // an indexed insert takes another path
        var error = Assert.Throws<ConstraintViolationException>(() => orders.Insert(Row.Of(1L, "mallory", 0.0)));
        Assert.That(error!.Message, Does.Contain("primary key"));
        Assert.Throws<ConstraintViolationException>(() => orders.Insert(Row.Of(1L, "alice", 0.0)));
        Assert.That(orders.Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, "alice", 12.5)));
        using IndexScan mallory = orders.IndexScan("by_customer", Row.Of("mallory"), Row.Of("mallory"));
        Assert.That(mallory.ToList(), Is.Empty, "no index entry of the refused row");
    }

    [Test]
    public void Values_of_the_wrong_type_or_shape_throw_and_change_nothing()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table orders = tx.CreateTable(Orders());
        Assert.Throws<ArgumentException>(() => orders.Insert(Row.Of("1", "alice", 12.5)));
        Assert.Throws<ArgumentException>(() => orders.Insert(Row.Of(1L, null, 12.5)));
        Assert.Throws<ArgumentException>(() => orders.Insert(Row.Of(1L, "alice")));
        Assert.Throws<ArgumentException>(() => orders.Insert(Row.Of(1L, "alice", 12.5, 1L)));
        Assert.Throws<ArgumentException>(() => orders.Upsert(Row.Of(1L, "alice", 12)));
        Assert.Throws<ArgumentException>(() => orders.Get(Row.Of("x")));
        Assert.Throws<ArgumentException>(() => orders.Delete(Row.Of(1L, 2L)));
        Assert.Throws<ArgumentException>(() => Row.Of(new object()));
        Assert.That(orders.Count, Is.Zero);
    }

    [Test]
    public void A_key_longer_than_the_tree_allows_throws_and_changes_nothing()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table t = tx.CreateTable(new TableSchema("t", [new Column("k", ColumnType.String)], primaryKey: ["k"]));
        Assert.Throws<ArgumentException>(() => t.Insert(Row.Of(new string('k', 2000))));
        Assert.That(t.Count, Is.Zero);
    }

    [Test]
    public void Invalid_schemas_are_refused()
    {
        Column a = new("a", ColumnType.Int64);
        Assert.Throws<ArgumentException>(() => new TableSchema("", [a]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t\0x", [a]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", []));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", [a, a]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", [new Column(TableSchema.RowIdColumn, ColumnType.Int64)]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", [a], primaryKey: ["b"]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", [a], primaryKey: ["a", "a"]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", [new Column("n", ColumnType.Int64, true)], primaryKey: ["n"]));
        Assert.Throws<ArgumentException>(() => new TableSchema("t", [new Column("x", (ColumnType)99)]));
    }

    [Test]
    public void Catalog_operations_on_tables_follow_the_contract()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        tx.CreateTable(Orders());
        tx.CreateTree("kv");
        Assert.Throws<PageDbException>(() => tx.CreateTable(Orders()));
        Assert.Throws<PageDbException>(() => tx.CreateTable(new TableSchema("kv", [new Column("a", ColumnType.Int64)])));
        Assert.Throws<PageDbException>(() => tx.GetTable("missing"));
        Assert.Throws<PageDbException>(() => tx.GetTable("kv"));
        Assert.Throws<PageDbException>(() => tx.GetTree("orders"));
        Assert.Throws<PageDbException>(() => tx.DropTree("orders"));
        Assert.Throws<PageDbException>(() => tx.DropTable("kv"));
        Assert.That(tx.TableNames, Is.EqualTo(new[] { "orders" }));
        Assert.That(tx.TreeNames, Is.EqualTo(new[] { "kv" }));
        Table orders = tx.GetTable("orders");
        orders.CreateIndex("by_customer", ["customer"]);
        orders.Insert(Row.Of(1L, "a", 1.0));
        tx.DropTable("orders");
        Assert.That(tx.TableNames, Is.Empty);
        Assert.Throws<InvalidOperationException>(() => orders.Insert(Row.Of(2L, "b", 1.0)));
        tx.Commit();
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, string.Join("; ", report.Problems));
    }

    [Test]
    public void Schemas_indexes_and_rows_survive_reopening()
    {
        var storage = new MemoryStorage();
        DateTime when = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var schema = new TableSchema("all",
            [new Column("i", ColumnType.Int64), new Column("d", ColumnType.Double, true), new Column("b", ColumnType.Boolean),
             new Column("s", ColumnType.String), new Column("x", ColumnType.Bytes, true), new Column("t", ColumnType.DateTime),
             new Column("m", ColumnType.Decimal)],
            primaryKey: ["s", "i"]);
        using (PageDatabase db = Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Table t = tx.CreateTable(schema);
            t.Insert(Row.Of(1L, 2.5, true, "k\0ey", new byte[] { 0, 1 }, when, 1.25m));
            t.CreateIndex("by_m", ["m"], unique: true);
            tx.Commit();
        }
        using (PageDatabase db = Open(storage))
        {
            using ReadTransaction tx = db.BeginRead();
            Table t = tx.GetTable("all");
            Assert.That(t.Schema.Columns, Is.EqualTo(schema.Columns));
            Assert.That(t.Schema.PrimaryKey, Is.EqualTo(new[] { "s", "i" }));
            Assert.That(t.IndexNames, Is.EqualTo(new[] { "by_m" }));
            Assert.That(t.IndexColumns("by_m"), Is.EqualTo(new[] { "m" }));
            Assert.Throws<ArgumentException>(() => t.IndexColumns("nope"));
            Row row = t.Get(Row.Of("k\0ey", 1L))!;
            Assert.That(row.GetDateTime(5), Is.EqualTo(when));
            Assert.That(row.GetDecimal(6), Is.EqualTo(1.25m));
            Assert.That(row.GetBytes(4), Is.EqualTo(new byte[] { 0, 1 }));
            Assert.Throws<InvalidCastException>(() => row.GetString(0));
            Assert.Throws<InvalidOperationException>(() => t.Insert(Row.Of(2L, 2.5, true, "k", null, when, 1m)));
        }
    }

    [Test]
    public void A_table_without_a_key_numbers_its_rows()
    {
        var storage = new MemoryStorage();
        var schema = new TableSchema("log", [new Column("msg", ColumnType.String)]);
        using (PageDatabase db = Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Table log = tx.CreateTable(schema);
            log.Insert(Row.Of("a"));
            log.Insert(Row.Of("a"));
            Assert.That(log.LastInsertedRowId, Is.EqualTo(2));
            Assert.That(log.Get(Row.Of(1L)), Is.EqualTo(Row.Of("a")));
            tx.Commit();
        }
        using (PageDatabase db = Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Table log = tx.GetTable("log");
            log.Insert(Row.Of("b"));
            Assert.That(log.LastInsertedRowId, Is.EqualTo(3));
            Assert.That(log.Delete(Row.Of(1L)), Is.True);
            Assert.That(log.Count, Is.EqualTo(2));
        }
    }

    [Test]
    public void Row_ids_stay_distinct_when_two_handles_of_one_table_insert_in_turn()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table first = tx.CreateTable(new TableSchema("log", [new Column("msg", ColumnType.String)]));
        Table second = tx.GetTable("log");
        first.Insert(Row.Of("a"));
        first.Insert(Row.Of("b"));
        second.Insert(Row.Of("c"));
        first.Insert(Row.Of("d"));
        Assert.That(first.Delete(Row.Of(4L)), Is.True);
        first.Insert(Row.Of("e"));
        Assert.That((first.LastInsertedRowId, second.LastInsertedRowId), Is.EqualTo((4L, 3L)), "after a delete of the last row its id is given again");
        Assert.That(first.Count, Is.EqualTo(4));
        Assert.That(first.Get(Row.Of(3L)), Is.EqualTo(Row.Of("c")));
        Assert.That(first.Get(Row.Of(4L)), Is.EqualTo(Row.Of("e")));
    }

    [Test]
    public void Unique_indexes_refuse_duplicates_and_change_nothing()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table orders = tx.CreateTable(Orders());
        orders.CreateIndex("by_total", ["total"], unique: true);
        orders.Insert(Row.Of(1L, "a", 1.0));
        orders.Insert(Row.Of(2L, "b", null));
        orders.Insert(Row.Of(3L, "c", null));
        Assert.Throws<ConstraintViolationException>(() => orders.Insert(Row.Of(4L, "d", 1.0)));
        Assert.Throws<ConstraintViolationException>(() => orders.Upsert(Row.Of(2L, "b", 1.0)));
        Assert.That(orders.Count, Is.EqualTo(3));
        Assert.That(orders.Get(Row.Of(2L))!.IsNull(2), Is.True);
        orders.Upsert(Row.Of(1L, "a2", 1.0));
        orders.Delete(Row.Of(1L));
        orders.Insert(Row.Of(4L, "d", 1.0));
        Assert.That(IndexEntries(orders, "by_total"), Is.EqualTo(3));
    }

    [Test]
    public void A_unique_index_over_duplicates_is_not_built()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table orders = tx.CreateTable(Orders());
            for (long i = 0; i < 500; i++)
                orders.Insert(Row.Of(i, "c" + (i % 400), (double)i));
            Assert.Throws<ConstraintViolationException>(() => orders.CreateIndex("u", ["customer"], unique: true));
            Assert.That(orders.IndexNames, Is.Empty);
            Assert.Throws<PageDbException>(() => orders.DropIndex("u"));
            Assert.Throws<ArgumentException>(() => orders.CreateIndex("bad", ["nope"]));
            Assert.Throws<ArgumentException>(() => orders.CreateIndex("bad", ["id", "id"]));
            orders.CreateIndex("by_customer", ["customer"]);
            Assert.Throws<PageDbException>(() => orders.CreateIndex("by_customer", ["total"]));
            Assert.That(IndexEntries(orders, "by_customer"), Is.EqualTo(500));
            tx.Commit();
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, string.Join("; ", report.Problems));
    }

    [Test]
    public void Indexes_follow_every_write_and_another_handle_sees_new_indexes()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table first = tx.CreateTable(Orders());
        Table second = tx.GetTable("orders");
        first.CreateIndex("by_customer", ["customer", "total"]);
        second.Insert(Row.Of(1L, "a", 1.0));
        second.Upsert(Row.Of(1L, "b", 1.0));
        second.Insert(Row.Of(2L, "b", null));
        Assert.That(IndexEntries(first, "by_customer"), Is.EqualTo(2));
        second.Delete(Row.Of(1L));
        Assert.That(IndexEntries(first, "by_customer"), Is.EqualTo(1));
        first.DropIndex("by_customer");
        second.Insert(Row.Of(3L, "c", null));
        Assert.That(second.IndexNames, Is.Empty);
    }

    [Test]
    public void Writing_a_table_in_a_read_transaction_throws()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTable(Orders());
            tx.Commit();
        }
        using ReadTransaction read = db.BeginRead();
        Table orders = read.GetTable("orders");
        Assert.Throws<InvalidOperationException>(() => orders.Insert(Row.Of(1L, "a", 1.0)));
        Assert.Throws<InvalidOperationException>(() => orders.CreateIndex("i", ["customer"]));
    }

    private static long IndexEntries(Table table, string index) => table.RequireIndex(index).Tree.Count;
}
