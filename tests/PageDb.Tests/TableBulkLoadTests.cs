using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// <see cref="WriteTransaction.CreateTable(TableSchema, IEnumerable{Row})"/>: whatever order the rows come in, the
/// table must equal one created empty and filled with <see cref="Table.Insert(Row)"/>, and bad rows must leave no table.
/// </summary>
public class TableBulkLoadTests
{
    private const int RowCount = 3000;

    private static TableSchema Orders(string name = "orders") => new(name,
        [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String),
         new Column("total", ColumnType.Double, Nullable: true)],
        primaryKey: ["id"]);

    private static Row Order(long id) => Row.Of(id, "customer " + id + new string('x', (int)(id % 40)), id % 7 == 0 ? null : id * 0.5);

    private static IEnumerable<Row> Ascending(int count) => Enumerable.Range(1, count).Select(i => Order(i));

    private static IEnumerable<Row> Shuffled(int count, int seed)
    {
        Row[] rows = [.. Ascending(count)];
        new Random(seed).Shuffle(rows);
        return rows;
    }

    private static List<Row> Scan(Table table) => [.. table.Scan()];

    /// <summary>The table <see cref="Table.Insert(Row)"/> builds from <paramref name="rows"/>, as a list in key order.</summary>
    private static List<Row> InsertedOneByOne(TableSchema schema, IEnumerable<Row> rows)
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table table = tx.CreateTable(schema);
        foreach (Row row in rows)
            table.Insert(row);
        return Scan(table);
    }

    [Test]
    public void Rows_in_key_order_equal_row_by_row_inserts_and_survive_reopening()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table table = tx.CreateTable(Orders(), Ascending(RowCount));
            Assert.That(table.Count, Is.EqualTo(RowCount));
            tx.Commit();
        }
        using (PageDatabase db = Open(storage))
        {
            Assert.That(db.CheckIntegrity().IsOk, Is.True, string.Join("\n", db.CheckIntegrity().Problems));
            using ReadTransaction tx = db.BeginRead();
            Assert.That(Scan(tx.GetTable("orders")), Is.EqualTo(InsertedOneByOne(Orders(), Ascending(RowCount))));
        }
    }

    [Test]
    public void Rows_in_key_order_pack_pages_no_less_densely_than_inserts()
    {
        using PageDatabase bulk = Open(new MemoryStorage());
        using PageDatabase inserted = Open(new MemoryStorage());
        using (WriteTransaction tx = bulk.BeginWrite())
        {
            tx.CreateTable(Orders(), Ascending(RowCount));
            tx.Commit();
        }
        using (WriteTransaction tx = inserted.BeginWrite())
        {
            Table table = tx.CreateTable(Orders());
            foreach (Row row in Shuffled(RowCount, seed: 3))
                table.Insert(row);
            tx.Commit();
        }
        Assert.That(bulk.GetStats().PageCount, Is.LessThan(inserted.GetStats().PageCount));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void Rows_out_of_order_fall_back_to_inserts_with_the_same_result(int seed)
    {
        Row[] rows = [.. Ascending(RowCount / 2), .. Shuffled(RowCount, seed).Where(r => r.GetInt64(0) > RowCount / 2)];
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table table = tx.CreateTable(Orders(), rows);
            Assert.That(table.Count, Is.EqualTo(RowCount));
            table.Insert(Order(RowCount + 1));
            Assert.That(table.Delete(Row.Of(1L)), Is.True);
            tx.Commit();
        }
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
        using ReadTransaction read = db.BeginRead();
        Assert.That(Scan(read.GetTable("orders")), Is.EqualTo(InsertedOneByOne(Orders(), Ascending(RowCount + 1).Skip(1))));
    }

    [Test]
    public void A_table_without_a_key_numbers_its_rows_like_inserts()
    {
        var schema = new TableSchema("log", [new Column("message", ColumnType.String)]);
        Row[] rows = [.. Enumerable.Range(0, RowCount).Select(i => Row.Of("message " + (RowCount - i)))];
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table table = tx.CreateTable(schema, rows);
        Assert.That(table.LastInsertedRowId, Is.EqualTo(RowCount));
        table.Insert(Row.Of("one more"));
        Assert.That(table.LastInsertedRowId, Is.EqualTo(RowCount + 1));
        List<Row> expected = InsertedOneByOne(schema, [.. rows, Row.Of("one more")]);
        Assert.That(Scan(table), Is.EqualTo(expected));
        Assert.That(table.Get(Row.Of(1L)), Is.EqualTo(rows[0]));
    }

    [Test]
    public void A_duplicate_key_leaves_no_table_and_no_lost_pages()
    {
        Row[] rows = [.. Ascending(RowCount), Order(RowCount)];
        AssertLeavesNoTable<ConstraintViolationException>(rows);
    }

    [Test]
    public void An_invalid_row_in_the_ordered_part_leaves_no_table_and_no_lost_pages()
    {
        Row[] rows = [.. Ascending(RowCount), Row.Of(RowCount + 1L, null, 1.0)];
        AssertLeavesNoTable<ArgumentException>(rows);
    }

    [Test]
    public void An_existing_name_is_refused()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        tx.CreateTable(Orders());
        Assert.Throws<PageDbException>(() => tx.CreateTable(Orders(), Ascending(3)));
        Assert.That(tx.GetTable("orders").Count, Is.Zero);
    }

    private static void AssertLeavesNoTable<TException>(Row[] rows)
        where TException : Exception
    {
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTable(Orders("other"), Ascending(10));
            tx.Commit();
        }
        using (WriteTransaction tx = db.BeginWrite())
        {
            Assert.Throws<TException>(() => tx.CreateTable(Orders(), rows));
            Assert.That(tx.TableNames, Is.EqualTo(new[] { "other" }));
            tx.Commit();
        }
        IntegrityReport report = db.CheckIntegrity(); // reports any page neither in a tree nor on the free list
        Assert.That(report.IsOk, Is.True, string.Join("\n", report.Problems));
    }
}
