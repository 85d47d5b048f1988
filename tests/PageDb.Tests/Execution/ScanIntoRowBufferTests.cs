using PageDb.Execution;
using PageDb.Expressions;
using PageDb.Records;
using PageDb.Testing;
using PageDb.Tests.Records;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Execution;

/// <summary>
/// <see cref="TableScan.NextInto"/> and <see cref="IndexScan.NextInto(RowBuffer)"/>: random tables, changes and
/// scans (whole, filtered, projected, primary-key and secondary-index ranges, tables with a row id) read into one
/// reused <see cref="RowBuffer"/> must give the rows of a <see cref="SortedDictionary{TKey, TValue}"/> model, and a
/// warm scan into the buffer allocates nothing per row.
/// </summary>
public class ScanIntoRowBufferTests
{
    [Test]
    public void Random_scans_into_a_reused_row_match_the_model([Range(0, 3)] int round)
    {
        int seed = TestSeed.Next() + round;
        var random = new Random(seed);
        var values = new RandomValues(random);
        bool rowId = round % 2 == 1;
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        Column[] columns = [new("id", ColumnType.Int64), .. Enumerable.Range(1, random.Next(1, 5))
            .Select(i => new Column("c" + i, values.AnyType(), Nullable: random.Next(3) > 0))];
        string[] scanColumns = rowId ? [.. columns.Select(c => c.Name), TableSchema.RowIdColumn] : [.. columns.Select(c => c.Name)];
        var model = new SortedDictionary<long, Row>(); // keyed as the table is: by id, or by row id (the row's last value)
        using (WriteTransaction create = db.BeginWrite())
        {
            Table created = create.CreateTable(new TableSchema("t", columns, primaryKey: rowId ? null : ["id"]));
            created.CreateIndex("ix", ["c1"]);
            create.Commit();
        }
        var row = new RowBuffer();
        long nextRowId = 1;
        for (int batch = 0; batch < 6; batch++)
        {
            using (WriteTransaction tx = db.BeginWrite())
            {
                Table table = tx.GetTable("t");
                for (int i = random.Next(0, 400); i > 0; i--)
                {
                    long id = random.Next(2000);
                    if (!rowId && model.Remove(id))
                    {
                        table.Delete(Row.Of(id));
                        continue;
                    }
                    Row inserted = new([Value.FromInt64(id), .. columns.Skip(1).Select(c => random.Next(5) == 0 && c.Nullable ? Value.Null : values.Small(c.Type))]);
                    table.Insert(inserted);
                    model[rowId ? nextRowId++ : id] = rowId ? new Row([.. inserted.Values, Value.FromInt64(nextRowId - 1)]) : inserted;
                }
                tx.Commit();
            }
            using ReadTransaction read = db.BeginRead();
            Table t = read.GetTable("t");
            for (int scan = 0; scan < 30; scan++)
            {
                string context = $"batch {batch}, scan {scan}; {TestSeed.Describe(seed)}";
                int[] projection = [.. Enumerable.Range(0, scanColumns.Length).Where(_ => random.Next(2) == 0).DefaultIfEmpty(random.Next(scanColumns.Length))];
                string[] names = [.. projection.Select(p => scanColumns[p])];
                (PlanOperator into, PlanOperator rows, IEnumerable<Row> expected) = random.Next(3) switch
                {
                    0 => WholeScan(t, names, model, values),
                    1 => KeyRange(t, names, model, random),
                    _ => IndexRange(t, names, model, values, columns[1].Type),
                };
                List<Row> wanted = [.. expected.Select(r => new Row([.. projection.Select(p => r.GetValue(p))]))];
                using (into)
                using (rows)
                {
                    Assert.That(ReadInto(into, row), Is.EqualTo(wanted.Select(r => r.ToString()).ToList()), $"{context}\n{into.Explain()}");
                    Assert.That(rows.Select(r => r.ToString()).ToList(), Is.EqualTo(wanted.Select(r => r.ToString()).ToList()), $"Next(), {context}");
                }
            }
        }
    }

    [Test]
    public void A_scan_into_a_row_must_be_open_and_leaves_the_row_at_its_end()
    {
        using PageDatabase db = Filled(3);
        using ReadTransaction tx = db.BeginRead();
        var row = new RowBuffer();
        using TableScan scan = tx.GetTable("items").Scan(columns: ["value", "id"]);
        Assert.Throws<InvalidOperationException>(() => scan.NextInto(row));
        scan.Open();
        Assert.That(scan.NextInto(row), Is.True);
        Assert.That((row.Count, row.GetDouble(0), row.GetInt64(1)), Is.EqualTo((2, 0.5, 0L)));
        Assert.That(scan.Next(), Is.EqualTo(Row.Of(1.5, 1L)), "Next and NextInto take turns on one scan");
        Assert.That(scan.NextInto(row), Is.True);
        Assert.That(scan.NextInto(row), Is.False);
        Assert.That(row.GetInt64(1), Is.EqualTo(2), "the end leaves the last row");
        Assert.Throws<ArgumentOutOfRangeException>(() => row.GetInt64(2));
        using IndexScan range = tx.GetTable("items").IndexScan(null, Row.Of(1L), null);
        Assert.Throws<InvalidOperationException>(() => range.NextInto(row));
    }

    [Test]
    public void A_warm_scan_into_a_reused_row_allocates_nothing_per_row()
    {
        const int rows = 5_000;
        using PageDatabase db = Filled(rows);
        using ReadTransaction tx = db.BeginRead();
        Table items = tx.GetTable("items");
        var row = new RowBuffer();
        using TableScan scan = items.Scan(columns: ["value"]);
        using IndexScan range = items.IndexScan(null, Row.Of(10L), Row.Of((long)rows - 10), columns: ["value", "id"]);
        Sum(scan, row);
        Sum(range, row);

        long before = GC.GetAllocatedBytesForCurrentThread();
        double sum = Sum(scan, row) + Sum(range, row);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(sum, Is.GreaterThan(0));
        // Opening a scan allocates its cursor (a few hundred bytes); a row per step would be 80 bytes a row.
        Assert.That(allocated, Is.LessThan(rows), $"{allocated} bytes over two scans of about {rows} rows each: only opening the scans may allocate");
    }

    private static double Sum(PlanOperator plan, RowBuffer row)
    {
        double sum = 0;
        plan.Open();
        while (plan is TableScan scan ? scan.NextInto(row) : ((IndexScan)plan).NextInto(row))
            sum += row.GetDouble(0);
        plan.Close();
        return sum;
    }

    private static List<string> ReadInto(PlanOperator plan, RowBuffer row)
    {
        var read = new List<string>();
        plan.Open();
        while (plan is TableScan scan ? scan.NextInto(row) : ((IndexScan)plan).NextInto(row))
            read.Add(row.ToString());
        return read;
    }

    private static (PlanOperator, PlanOperator, IEnumerable<Row>) WholeScan(Table table, string[] names, SortedDictionary<long, Row> model, RandomValues values)
    {
        if (values.Random.Next(2) == 0)
            return (table.Scan(names), table.Scan(names), model.Values);
        long below = values.Random.Next(2000);
        Expr where = Expr.Col("id") < Expr.Const(below);
        return (table.Scan(names, where), table.Scan(names, where), model.Values.Where(r => r.GetInt64(0) < below));
    }

    private static (PlanOperator, PlanOperator, IEnumerable<Row>) KeyRange(Table table, string[] names, SortedDictionary<long, Row> model, Random random)
    {
        long low = random.Next(-5, 2005), high = low + random.Next(-10, 300);
        bool lowIn = random.Next(2) == 0, highIn = random.Next(2) == 0;
        Row? from = random.Next(8) == 0 ? null : Row.Of(low);
        Row? to = random.Next(8) == 0 ? null : Row.Of(high);
        IEnumerable<Row> expected = model
            .Where(e => from is null || (lowIn ? e.Key >= low : e.Key > low))
            .Where(e => to is null || (highIn ? e.Key <= high : e.Key < high))
            .Select(e => e.Value);
        return (table.IndexScan(null, from, to, lowIn, highIn, names), table.IndexScan(null, from, to, lowIn, highIn, names), expected);
    }

    private static (PlanOperator, PlanOperator, IEnumerable<Row>) IndexRange(Table table, string[] names, SortedDictionary<long, Row> model, RandomValues values, ColumnType type)
    {
        Value low = values.Small(type), high = values.Small(type);
        if (Value.Compare(low, high) > 0)
            (low, high) = (high, low);
        Row from = new([low]), to = new([high]);
        IEnumerable<Row> expected = model.Values
            .Where(r => !r.GetValue(1).IsNull && Value.Compare(r.GetValue(1), low) >= 0 && Value.Compare(r.GetValue(1), high) <= 0)
            .OrderBy(r => r.GetValue(1), Comparer<Value>.Create((a, b) => Value.Compare(a, b))); // stable: ties stay in key order, as the index's entries are
        return (table.IndexScan("ix", from, to, columns: names), table.IndexScan("ix", from, to, columns: names), expected);
    }

    private static PageDatabase Filled(int rows)
    {
        PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table items = tx.CreateTable(new TableSchema("items",
            [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("value", ColumnType.Double)],
            primaryKey: ["id"]));
        for (long i = 0; i < rows; i++)
            items.Insert(Row.Of(i, "item " + i, i + 0.5));
        tx.Commit();
        return db;
    }
}
