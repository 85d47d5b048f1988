using LiteDB;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// LiteDB 5 through its typed collection API, in direct (single-process, thread-safe) mode with its default settings:
/// the key is the document _id, which LiteDB always indexes. LiteDB has one durability level and no cache-size
/// setting, so <see cref="EngineSettings.Durability"/> and <see cref="EngineSettings.CacheSizeBytes"/> change nothing.
/// </summary>
public sealed class LiteDbEngine : IBenchmarkEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("litedb", DescribeVersion, settings => new LiteDbEngine(settings), FileName);

    private const string FileName = "bench.litedb";

    private const string CollectionName = "rows";

    private readonly LiteDatabase _database;
    private readonly ILiteCollection<LiteDbRow> _rows;

    private LiteDbEngine(EngineSettings settings)
    {
        var connection = new ConnectionString
        {
            Filename = Path.Combine(settings.Folder, FileName),
            Connection = ConnectionType.Direct,
        };
        _database = new LiteDatabase(connection); // BsonMapper.Global, as applications use it: mappings built once per process
        _rows = _database.GetCollection<LiteDbRow>(CollectionName);
    }

    /// <summary><see cref="ILiteCollection{T}.Insert(IEnumerable{T})"/> runs all documents in one transaction.</summary>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows) => _rows.Insert(Documents(rows));

    /// <summary>A single Insert is LiteDB's own one-statement transaction.</summary>
    public void InsertInOwnTransaction(in BenchRow row) => _rows.Insert(LiteDbRow.From(row));

    /// <summary>LiteDB's database object is thread-safe, so readers share it.</summary>
    public IBenchmarkReader OpenReader() => new LiteDbReader(_rows);

    /// <summary>Copies the log file into the data file.</summary>
    public void Checkpoint() => _database.Checkpoint();

    /// <inheritdoc/>
    public void Dispose() => _database.Dispose();

    private static IEnumerable<LiteDbRow> Documents(ReadOnlyMemory<BenchRow> rows)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            yield return LiteDbRow.From(rows.Span[i]);
        }
    }

    private static string DescribeVersion() =>
        $"LiteDB {typeof(LiteDatabase).Assembly.GetName().Version}; typed collection, direct mode, default settings, key = _id";
}
