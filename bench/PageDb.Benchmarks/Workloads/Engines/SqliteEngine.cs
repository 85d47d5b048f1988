using Microsoft.Data.Sqlite;
using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite, set up as a careful application would: journal_mode=WAL, page_size=4096,
/// the shared cache size, synchronous=FULL or NORMAL by durability, the key as INTEGER PRIMARY KEY (the rowid, so
/// the table is clustered on it as PageDb's is), and one prepared command per statement, reused with its parameters.
/// </summary>
public sealed class SqliteEngine : IBenchmarkEngine, IAnalyticsEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("sqlite", DescribeVersion, settings => new SqliteEngine(settings), FileName);

    private const string FileName = "bench.sqlite";

    private readonly EngineSettings _settings;
    private readonly SqliteConnection _connection;
    private readonly AdoNetRowsTable _rows;

    private SqliteEngine(EngineSettings settings)
    {
        _settings = settings;
        _connection = OpenConnection(settings);
        Execute(_connection, $"PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; {SynchronousPragma(settings.Durability)}");
        _rows = new AdoNetRowsTable(_connection, '$');
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows) => _rows.BulkInsert(rows);

    /// <summary>
    /// An autocommit statement: SQLite's own one-statement transaction, the idiomatic single insert. Concurrent callers
    /// take turns on the write connection (SQLite admits one writer at a time, and a connection is single-threaded).
    /// </summary>
    public void InsertInOwnTransaction(in BenchRow row) => _rows.InsertInOwnTransaction(row);

    /// <summary>A reader on its own connection (SQLite connections are single-threaded), with its own cache.</summary>
    public IBenchmarkReader OpenReader() => new AdoNetReader(OpenConnection(_settings));

    /// <summary>Copies the WAL into the database file and truncates the WAL.</summary>
    public void Checkpoint()
    {
        lock (_rows.Writer)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
    }

    /// <summary>W10's tables, loaded on the write connection (<see cref="AdoNetLineItems"/>).</summary>
    public void LoadLineItems(LineItemDataset data) => AdoNetLineItems.Load(_connection, data);

    /// <summary>W10's query on the write connection (<see cref="AdoNetLineItems.Query"/>).</summary>
    public IReadOnlyList<PricingSummaryRow> PricingSummary(string shipDateCutoff) => AdoNetLineItems.PricingSummary(_connection, shipDateCutoff);

    /// <inheritdoc/>
    public void Dispose()
    {
        _rows.Dispose();
        _connection.Dispose();
    }

    private static SqliteConnection OpenConnection(EngineSettings settings)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(settings.Folder, FileName),
            Pooling = false,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, $"PRAGMA cache_size = {-(settings.CacheSizeBytes / 1024)}; {SynchronousPragma(settings.Durability)}");
        return connection;
    }

    private static string SynchronousPragma(BenchDurability durability) =>
        durability == BenchDurability.Full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string DescribeVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        string version = (string)command.ExecuteScalar()!;
        return $"SQLite {version} via Microsoft.Data.Sqlite {typeof(SqliteConnection).Assembly.GetName().Version}; " +
               "WAL, page_size 4096, prepared reused commands, INTEGER PRIMARY KEY";
    }
}
