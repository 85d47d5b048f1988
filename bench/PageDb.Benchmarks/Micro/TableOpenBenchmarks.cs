using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// The cost of a point read that opens its own read transaction, over memory storage: through the tables API
/// (<c>BeginRead</c>, <c>GetTable</c>, <c>Get</c> of a 3-column row) and, for comparison, through the key-value API
/// (<c>BeginRead</c>, <c>GetTree</c>, <c>Get</c>). The difference is what opening a table costs. Both read the same
/// 10,000 ids in turn; the first call checks both answers against the generator.
/// </summary>
[MemoryDiagnoser]
public class TableOpenBenchmarks : IDisposable
{
    private const int Rows = 10_000;

    private static readonly TableSchema RowsSchema = new("rows",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("value", ColumnType.Double)],
        primaryKey: ["id"]);

    private readonly byte[] _treeKey = new byte[8];
    private PageDatabase? _db;
    private long _next;

    /// <summary>Builds the table and the tree with the same rows and checks one read of each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _db = PageDatabase.OpenInMemory(new PageDbOptions { Durability = Durability.None });
        using (WriteTransaction tx = _db.BeginWrite())
        {
            Table rows = tx.CreateTable(RowsSchema);
            Tree tree = tx.CreateTree("kv");
            var key = new byte[8];
            for (long id = 1; id <= Rows; id++)
            {
                rows.Insert(Row.Of(id, NameOf(id), id * 0.5));
                BinaryPrimitives.WriteInt64BigEndian(key, id);
                tree.Put(key, BitConverter.GetBytes(id * 0.5));
            }
            tx.Commit();
        }
        _next = 41;
        double fromTable = OpenTableAndGet();
        _next = 41;
        double fromTree = OpenTreeAndGet();
        if (fromTable != 21.0 || fromTree != 21.0)
            throw new InvalidOperationException($"TableOpenBenchmarks: read {fromTable} and {fromTree}, expected 21.");
    }

    /// <summary>One read transaction, <c>GetTable</c>, and <c>Get</c> of one whole row.</summary>
    [Benchmark]
    public double OpenTableAndGet()
    {
        using ReadTransaction tx = _db!.BeginRead();
        Table table = tx.GetTable(RowsSchema.Name);
        return table.Get(Row.Of(NextId()))!.GetDouble(2);
    }

    /// <summary>One read transaction, <c>GetTree</c>, and <c>Get</c> of one value: the key-value baseline.</summary>
    [Benchmark(Baseline = true)]
    public double OpenTreeAndGet()
    {
        using ReadTransaction tx = _db!.BeginRead();
        BinaryPrimitives.WriteInt64BigEndian(_treeKey, NextId());
        return BitConverter.ToDouble(tx.GetTree("kv").Get(_treeKey));
    }

    /// <summary>Closes the database.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        _db = null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _db?.Dispose();
        GC.SuppressFinalize(this);
    }

    private long NextId() => _next = _next % Rows + 1;

    private static string NameOf(long id) => $"name-{id:D10}";
}
