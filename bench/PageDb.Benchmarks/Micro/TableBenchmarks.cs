using BenchmarkDotNet.Attributes;
using PageDb.Execution;
using PageDb.Expressions;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// Tables and operators through the public API, in memory with Durability.None, so the figures are the engine's CPU
/// cost per row: loading 1M rows in one transaction, point gets by key, a full scan summing one column, a scan with a
/// selective predicate pushed into the record, a group-by aggregate and a hash join. Every figure is per row.
/// </summary>
[MemoryDiagnoser]
public class TableBenchmarks : IDisposable
{
    private const int Rows = 1_000_000;
    private const int Customers = 10_000;
    private const int Lookups = 100_000;
    private PageDatabase _db = null!;
    private ReadTransaction _read = null!;
    private Table _orders = null!;
    private Table _customers = null!;
    private long[] _lookupIds = [];

    [GlobalSetup]
    public void Setup()
    {
        _db = Open();
        Load(_db);
        _read = _db.BeginRead();
        _orders = _read.GetTable("orders");
        _customers = _read.GetTable("customers");
        var rng = new Random(7);
        _lookupIds = Enumerable.Range(0, Lookups).Select(_ => (long)rng.Next(Rows)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _read.Dispose();
        _db.Dispose();
    }

    /// <summary>Insert 1M rows in one transaction into an empty table; per row.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public void Insert1MRowsInOneTransaction()
    {
        using PageDatabase db = Open();
        Load(db);
    }

    /// <summary>Point gets by primary key; per get.</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    public double PointGet()
    {
        double sum = 0;
        foreach (long id in _lookupIds)
            sum += _orders.Get(Row.Of(id))!.GetDouble(2);
        return sum;
    }

    /// <summary>Full scan summing one column; per row.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public double ScanSum()
    {
        double sum = 0;
        foreach (Row row in _orders.Scan(columns: ["total"]))
            sum += row.GetDouble(0);
        return sum;
    }

    /// <summary>Scan with a predicate selecting 1% evaluated on the encoded record; per row scanned.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int SelectiveScan()
    {
        int count = 0;
        foreach (Row _ in _orders.Scan(columns: ["id"], where: Expr.Col("total") < Expr.Const(10.0)))
            count++;
        return count;
    }

    /// <summary>Group by customer (10,000 groups), count and average; per input row.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int GroupByAggregate()
    {
        using var plan = new Aggregate(_orders.Scan(columns: ["customer", "total"]), [Expr.Col("customer")],
            [AggregateSpec.Count(), AggregateSpec.Avg(Expr.Col("total"))]);
        return plan.Count();
    }

    /// <summary>Hash join of 1M orders with 10,000 customers on the customer id; per order row.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int HashJoinOrdersWithCustomers()
    {
        using var plan = new HashJoin(_orders.Scan(columns: ["id", "customer"]), _customers.Scan(),
            [Expr.Col("customer")], [Expr.Col("customers.id")]);
        return plan.Count();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _read?.Dispose();
        _db?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static PageDatabase Open() =>
        PageDatabase.OpenInMemory(new PageDbOptions { Durability = Durability.None, CacheSizeBytes = 256L << 20 });

    private static void Load(PageDatabase db)
    {
        using WriteTransaction tx = db.BeginWrite();
        Table customers = tx.CreateTable(new TableSchema("customers",
            [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)], primaryKey: ["id"]));
        for (long id = 0; id < Customers; id++)
            customers.Insert(Row.Of(id, $"customer {id}"));
        Table orders = tx.CreateTable(new TableSchema("orders",
            [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.Int64), new Column("total", ColumnType.Double)],
            primaryKey: ["id"]));
        for (long id = 0; id < Rows; id++)
            orders.Insert(Row.Of(id, id % Customers, (double)(id * 7919 % 1000)));
        tx.Commit();
    }
}
