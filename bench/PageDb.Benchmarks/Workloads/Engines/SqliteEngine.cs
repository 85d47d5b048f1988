using Microsoft.Data.Sqlite;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// SQLite through Microsoft.Data.Sqlite, set up as a careful application would: journal_mode=WAL, page_size=4096,
/// the shared cache size, synchronous=FULL or NORMAL by durability, the key as INTEGER PRIMARY KEY (the rowid, so
/// the table is clustered on it as PageDb's is), and one prepared command per statement, reused with its parameters.
/// </summary>
public sealed class SqliteEngine : IBenchmarkEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("sqlite", DescribeVersion, settings => new SqliteEngine(settings), FileName);

    private const string FileName = "bench.sqlite";

    private readonly EngineSettings _settings;
    private readonly Lock _writer = new(); // serializes concurrent one-row inserts (W9) on the one write connection
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _id;
    private readonly SqliteParameter _name;
    private readonly SqliteParameter _value;
    private readonly SqliteParameter _payload;

    private SqliteEngine(EngineSettings settings)
    {
        _settings = settings;
        _connection = OpenConnection(settings);
        Execute(_connection, $"PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; {SynchronousPragma(settings.Durability)}");
        Execute(_connection, "CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, payload TEXT NOT NULL)");
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO rows (id, name, value, payload) VALUES ($id, $name, $value, $payload)";
        _id = _insert.Parameters.Add("$id", SqliteType.Integer);
        _name = _insert.Parameters.Add("$name", SqliteType.Text);
        _value = _insert.Parameters.Add("$value", SqliteType.Real);
        _payload = _insert.Parameters.Add("$payload", SqliteType.Text);
        _insert.Prepare();
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        foreach (ref readonly BenchRow row in rows.Span)
        {
            Insert(row);
        }
        transaction.Commit();
        _insert.Transaction = null;
    }

    /// <summary>
    /// An autocommit statement: SQLite's own one-statement transaction, the idiomatic single insert. Concurrent callers
    /// take turns on the write connection (SQLite admits one writer at a time, and a connection is single-threaded).
    /// </summary>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        lock (_writer)
        {
            Insert(row);
        }
    }

    /// <summary>A reader on its own connection (SQLite connections are single-threaded), with its own cache.</summary>
    public IBenchmarkReader OpenReader() => new AdoNetReader(OpenConnection(_settings));

    /// <summary>Copies the WAL into the database file and truncates the WAL.</summary>
    public void Checkpoint()
    {
        lock (_writer)
        {
            using SqliteCommand command = _connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }

    private void Insert(in BenchRow row)
    {
        _id.Value = row.Id;
        _name.Value = row.Name;
        _value.Value = row.Value;
        _payload.Value = row.Payload;
        _insert.ExecuteNonQuery();
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
