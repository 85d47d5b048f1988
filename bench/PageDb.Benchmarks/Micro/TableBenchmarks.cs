using BenchmarkDotNet.Attributes;
using PageDb.Execution;
using PageDb.Expressions;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The tables API and its operators over memory storage at Durability.None (so no I/O or fsync cost), every figure
/// per row (OperationsPerInvoke): a 1,000,000-row insert in one transaction, point gets by primary key, a full scan
/// summing one column, a scan whose pushed-down predicate keeps ~1% of the rows, a group-by (count and avg over 100
/// groups), and a hash join of 100,000 orders with 10,000 customers. Rows are those of the comparison workloads
/// (id, 20-character name, value, 100-character payload) plus a 100-value <c>category</c>. The reading benchmarks
/// share a 250,000-row table built once per process; its answers are checked against the generator before timing.
/// </summary>
[MemoryDiagnoser]
public class TableBenchmarks : IDisposable
{
    private const int InsertRows = 1_000_000;
    private const int ReadRows = 250_000;
    private const int Lookups = 10_000;
    private const int Categories = 100;
    private const int Orders = 100_000;
    private const int Customers = 10_000;
    private const int DistinctStrings = 1024;

    /// <summary>value &gt; this keeps ~1% of the rows (values are uniform multiples of 1/1024 in [0, 1024)).</summary>
    private const double SelectiveThreshold = 1013.76;

    private static readonly string[] ValueColumn = ["value"];
    private static readonly string[] IdAndValueColumns = ["id", "value"];
    private static readonly string[] CategoryAndValueColumns = ["category", "value"];
    private static readonly string[] OrderColumns = ["customer", "total"];
    private static readonly string[] CustomerColumns = ["id", "name"];

    private static readonly TableSchema RowsSchema = new("rows",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("value", ColumnType.Double),
         new Column("payload", ColumnType.String), new Column("category", ColumnType.Int64)],
        primaryKey: ["id"]);

    private static readonly TableSchema OrdersSchema = new("orders",
        [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.Int64), new Column("total", ColumnType.Double)],
        primaryKey: ["id"]);

    private static readonly TableSchema CustomersSchema = new("customers",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)],
        primaryKey: ["id"]);

    private readonly string[] _names = new string[DistinctStrings];
    private readonly string[] _payloads = new string[DistinctStrings];
    private readonly long[] _lookupIds = new long[Lookups];
    private PageDatabase? _db;

    /// <summary>The strings rows cycle through, so the timed insert does not build strings.</summary>
    [GlobalSetup(Target = nameof(Insert))]
    public void SetupInsert() => FillStrings();

    /// <summary>A fresh empty database with the table for each insert iteration.</summary>
    [IterationSetup(Target = nameof(Insert))]
    public void OpenEmpty()
    {
        _db = Open();
        using WriteTransaction tx = _db.BeginWrite();
        tx.CreateTable(RowsSchema);
        tx.Commit();
    }

    /// <summary>Closes the database the insert filled.</summary>
    [IterationCleanup(Target = nameof(Insert))]
    public void CloseInserted()
    {
        _db?.Dispose();
        _db = null;
    }

    /// <summary>Builds the tables the reading benchmarks use and checks each plan's answer once.</summary>
    [GlobalSetup(Targets = [nameof(PointGet), nameof(PointGetInto), nameof(FullScanSum), nameof(SelectiveScan), nameof(GroupByCountAvg), nameof(HashJoinOrdersCustomers)])]
    public void SetupReads()
    {
        FillStrings();
        _db = Open();
        using (WriteTransaction tx = _db.BeginWrite())
        {
            Table rows = tx.CreateTable(RowsSchema);
            for (long id = 1; id <= ReadRows; id++)
                rows.Insert(Row.Of(id, _names[id % DistinctStrings], ValueOf(id), _payloads[id % DistinctStrings], id % Categories));
            Table customers = tx.CreateTable(CustomersSchema);
            for (long id = 1; id <= Customers; id++)
                customers.Insert(Row.Of(id, _names[id % DistinctStrings]));
            Table orders = tx.CreateTable(OrdersSchema);
            for (long id = 1; id <= Orders; id++)
                orders.Insert(Row.Of(id, 1 + (long)(Mix((ulong)id) % Customers), ValueOf(id)));
            tx.Commit();
        }
        var random = new Random(20240601);
        for (int i = 0; i < Lookups; i++)
            _lookupIds[i] = random.NextInt64(1, ReadRows + 1);
        CheckAnswers();
    }

    /// <summary>Closes the reading benchmarks' database.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        _db = null;
    }

    /// <summary>Inserts 1,000,000 rows with <see cref="Table.Insert(Row)"/> in one transaction and commits.</summary>
    [Benchmark(OperationsPerInvoke = InsertRows)]
    public long Insert()
    {
        using WriteTransaction tx = _db!.BeginWrite();
        Table rows = tx.GetTable(RowsSchema.Name);
        for (long id = 1; id <= InsertRows; id++)
            rows.Insert(Row.Of(id, _names[id % DistinctStrings], ValueOf(id), _payloads[id % DistinctStrings], id % Categories));
        tx.Commit();
        return InsertRows;
    }

    /// <summary>10,000 <see cref="Table.Get"/>s of whole rows at random keys, in one read transaction.</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    public double PointGet()
    {
        using ReadTransaction tx = _db!.BeginRead();
        Table rows = tx.GetTable(RowsSchema.Name);
        double sum = 0;
        foreach (long id in _lookupIds)
            sum += rows.Get(Row.Of(id))!.GetDouble(2);
        return sum;
    }

    /// <summary>The lookups of <see cref="PointGet"/> through <see cref="Table.TryGet(long, RowBuffer)"/> into one reused row.</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    public double PointGetInto()
    {
        using ReadTransaction tx = _db!.BeginRead();
        Table rows = tx.GetTable(RowsSchema.Name);
        var row = new RowBuffer();
        double sum = 0;
        foreach (long id in _lookupIds)
        {
            rows.TryGet(id, row);
            sum += row.GetDouble(2);
        }
        return sum;
    }

    /// <summary><c>Scan(columns: ["value"])</c> over every row, summing the value.</summary>
    [Benchmark(OperationsPerInvoke = ReadRows)]
    public double FullScanSum()
    {
        using ReadTransaction tx = _db!.BeginRead();
        using TableScan scan = tx.GetTable(RowsSchema.Name).Scan(columns: ValueColumn);
        return Totals(scan, valueOrdinal: 0).Sum;
    }

    /// <summary>A scan with <c>value &gt; 1013.76</c> pushed down (~1% kept); figures are per row scanned.</summary>
    [Benchmark(OperationsPerInvoke = ReadRows)]
    public double SelectiveScan()
    {
        using ReadTransaction tx = _db!.BeginRead();
        using TableScan scan = SelectiveScanOf(tx);
        return Totals(scan, valueOrdinal: 1).Sum;
    }

    /// <summary><c>count(*), avg(value) group by category</c> (100 groups); figures are per input row.</summary>
    [Benchmark(OperationsPerInvoke = ReadRows)]
    public double GroupByCountAvg()
    {
        using ReadTransaction tx = _db!.BeginRead();
        using Aggregate plan = GroupByOf(tx);
        return Totals(plan, valueOrdinal: 2).Sum;
    }

    /// <summary>Orders joined to customers on <c>orders.customer = customers.id</c> (customers built into the hash table); per order.</summary>
    [Benchmark(OperationsPerInvoke = Orders)]
    public double HashJoinOrdersCustomers()
    {
        using ReadTransaction tx = _db!.BeginRead();
        using HashJoin plan = JoinOf(tx);
        return Totals(plan, valueOrdinal: 1).Sum;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _db?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static PageDatabase Open() =>
        PageDatabase.OpenInMemory(new PageDbOptions { Durability = Durability.None, CacheSizeBytes = 256L << 20 });

    private static TableScan SelectiveScanOf(ReadTransaction tx) =>
        tx.GetTable(RowsSchema.Name).Scan(IdAndValueColumns, where: Expr.Col("value") > Expr.Const(SelectiveThreshold));

    private static Aggregate GroupByOf(ReadTransaction tx) =>
        new(tx.GetTable(RowsSchema.Name).Scan(CategoryAndValueColumns), [Expr.Col("category")],
            [AggregateSpec.Count(), AggregateSpec.Avg(Expr.Col("value"))]);

    private static HashJoin JoinOf(ReadTransaction tx) =>
        new(tx.GetTable(OrdersSchema.Name).Scan(OrderColumns), tx.GetTable(CustomersSchema.Name).Scan(CustomerColumns),
            [Expr.Col("customer")], [Expr.Col("id")]);

    /// <summary>Runs <paramref name="plan"/> once: its row count and the sum of the Double column at <paramref name="valueOrdinal"/>.</summary>
    private static (long Count, double Sum) Totals(PlanOperator plan, int valueOrdinal)
    {
        long count = 0;
        double sum = 0;
        plan.Open();
        for (Row? row = plan.Next(); row is not null; row = plan.Next())
        {
            count++;
            sum += row.GetDouble(valueOrdinal);
        }
        return (count, sum);
    }

    /// <summary>Compares each reading plan's answer with the generator's, so a fast wrong answer cannot be reported.</summary>
    private void CheckAnswers()
    {
        double all = 0, selected = 0, lookedUp = 0, orders = 0;
        long selectedCount = 0;
        for (long id = 1; id <= ReadRows; id++)
        {
            all += ValueOf(id);
            if (ValueOf(id) > SelectiveThreshold)
            {
                selectedCount++;
                selected += ValueOf(id);
            }
        }
        foreach (long id in _lookupIds)
            lookedUp += ValueOf(id);
        for (long id = 1; id <= Orders; id++)
            orders += ValueOf(id);

        using ReadTransaction tx = _db!.BeginRead();
        using TableScan full = tx.GetTable(RowsSchema.Name).Scan(ValueColumn);
        using TableScan selective = SelectiveScanOf(tx);
        using Aggregate groups = GroupByOf(tx);
        using HashJoin join = JoinOf(tx);
        Expect("point get", PointGet(), lookedUp);
        Expect("full scan", Totals(full, 0), (ReadRows, all));
        Expect("selective scan", Totals(selective, 1), (selectedCount, selected));
        Expect("group by (count of groups)", Totals(groups, 2).Count, Categories);
        Expect("hash join", Totals(join, 1), (Orders, orders));
        Console.WriteLine($"// selective scan keeps {selectedCount} of {ReadRows} rows ({100.0 * selectedCount / ReadRows:F2}%)");
    }

    private static void Expect<T>(string what, T actual, T expected)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            throw new InvalidOperationException($"TableBenchmarks: {what} gave {actual}, expected {expected}.");
    }

    private void FillStrings()
    {
        for (int i = 0; i < DistinctStrings; i++)
        {
            _names[i] = $"name-{Mix((ulong)i):x16}"[..20];
            _payloads[i] = string.Create(100, Mix((ulong)i + 7), static (chars, seed) =>
            {
                for (int c = 0; c < chars.Length; c++)
                {
                    seed = Mix(seed);
                    chars[c] = (char)('a' + (int)(seed % 26));
                }
            });
        }
    }

    /// <summary>A multiple of 1/1024 in [0, 1024), so sums are exact in any order.</summary>
    private static double ValueOf(long id) => (Mix((ulong)id) % (1024 * 1024)) / 1024.0;

    /// <summary>SplitMix64's finaliser: a well-spread hash of <paramref name="x"/>.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EB;
        return x ^ (x >> 31);
    }
}
