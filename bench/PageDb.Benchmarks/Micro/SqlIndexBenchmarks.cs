using BenchmarkDotNet.Attributes;
using PageDb.Sql;

namespace PageDb.Benchmarks.Micro;

/// <summary>
/// A SQL point query on a non-key column of a 100k-row in-memory table, through a secondary index on the column and,
/// on an identical table without the index, by the full scan SQL used before it read indexes; prepared once, one
/// random value per call. Figures are per query.
/// </summary>
[MemoryDiagnoser]
public class SqlIndexBenchmarks : IDisposable
{
    private const int Rows = 100_000;
    private readonly PreparedStatement _byIndex = SqlSession.Prepare("SELECT id, b FROM withindex WHERE a = @a");
    private readonly PreparedStatement _byScan = SqlSession.Prepare("SELECT id, b FROM noindex WHERE a = @a");
    private readonly SqlParameters _parameters = new();
    private readonly Random _random = new(42);
    private PageDatabase _db = null!;
    private SqlSession _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _db = PageDatabase.OpenInMemory();
        _session = new SqlSession(_db);
        _session.Execute("CREATE TABLE withindex(id INTEGER PRIMARY KEY, a INTEGER, b TEXT); CREATE INDEX withindex_a ON withindex(a)");
        _session.Execute("CREATE TABLE noindex(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)");
        PreparedStatement insertIndexed = SqlSession.Prepare("INSERT INTO withindex VALUES (@id, @a, @b)");
        PreparedStatement insertPlain = SqlSession.Prepare("INSERT INTO noindex VALUES (@id, @a, @b)");
        _session.Execute("BEGIN");
        var random = new Random(7);
        for (int i = 0; i < Rows; i++)
        {
            var row = new SqlParameters();
            row.Set("id", i);
            row.Set("a", random.Next(Rows));
            row.Set("b", $"row {i}");
            _session.Execute(insertIndexed, row);
            _session.Execute(insertPlain, row);
        }
        _session.Execute("COMMIT");
        Console.WriteLine($"// plan: {string.Join(" | ", _session.Execute("EXPLAIN SELECT id, b FROM withindex WHERE a = 5").Rows.Select(r => r[0]))}");
    }

    /// <summary>Closes the session and the database.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _session.Dispose();
        _db.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int PointByIndex() => Query(_byIndex);

    [Benchmark(Baseline = true)]
    public int PointByScan() => Query(_byScan);

    private int Query(PreparedStatement statement)
    {
        _parameters.Set("a", _random.Next(Rows));
        return _session.Execute(statement, _parameters).Rows.Count;
    }
}
