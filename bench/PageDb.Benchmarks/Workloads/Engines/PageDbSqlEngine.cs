using System.Collections.Concurrent;
using PageDb.Benchmarks.Workloads.Data;
using PageDb.Data;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// PageDb through SQL, as an application written against ADO.NET would use it: PageDb.Data's <see cref="PageDbConnection"/>
/// (<c>Durability=Full</c> or <c>Normal</c> by the workload; the database's default 64 MiB cache and 4096-byte pages),
/// the table <c>rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, payload TEXT NOT NULL)</c>, and
/// the same prepared, reused commands with parameters as <see cref="SqliteEngine"/> (reads in <see cref="AdoNetReader"/>).
/// Connections of the process share the one open database, so each reader has its own connection and session.
/// </summary>
public sealed class PageDbSqlEngine : IBenchmarkEngine, IAsyncCommitEngine, IAnalyticsEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("pagedb-sql", Describe, settings => new PageDbSqlEngine(settings));

    private const string FileName = "bench.pagedb";

    private readonly string _connectionString;
    private readonly PageDbConnection _connection;
    private readonly AdoNetRowsTable _rows;
    private readonly ConcurrentBag<(PageDbConnection Connection, AdoNetRowsTable Rows)> _idleWriters = []; // W9, W9a: one per committer in flight

    private PageDbSqlEngine(EngineSettings settings)
    {
        string durability = settings.Durability == BenchDurability.Full ? "Full" : "Normal";
        _connectionString = $"Data Source={Path.Combine(settings.Folder, FileName)};Mode=ReadWriteCreate;Durability={durability}";
        _connection = new PageDbConnection(_connectionString);
        _connection.Open();
        _rows = new AdoNetRowsTable(_connection, '@');
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows) => _rows.BulkInsert(rows);

    /// <summary>
    /// An autocommit statement. Each concurrent caller takes a write connection of its own from a pool (a connection
    /// is single-threaded), as an application's connection pool would, so W9's committers share group syncs instead
    /// of taking turns on one connection across each commit's sync.
    /// </summary>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        (PageDbConnection Connection, AdoNetRowsTable Rows) writer = TakeWriter();
        try
        {
            writer.Rows.InsertInOwnTransaction(row);
        }
        finally
        {
            _idleWriters.Add(writer);
        }
    }

    /// <summary>
    /// An autocommit statement through <c>ExecuteNonQueryAsync</c>, which awaits the writer slot and the commit's
    /// durability without blocking a thread. Each concurrent caller takes a write connection of its own from a pool
    /// (a connection is single-threaded), with its own prepared insert, as an application's connection pool would.
    /// </summary>
    public async Task InsertInOwnTransactionAsync(BenchRow row)
    {
        (PageDbConnection Connection, AdoNetRowsTable Rows) writer = TakeWriter();
        try
        {
            await writer.Rows.InsertInOwnTransactionAsync(row).ConfigureAwait(false);
        }
        finally
        {
            _idleWriters.Add(writer);
        }
    }

    /// <summary>An idle write connection with its prepared insert, or a new one when every one is in use.</summary>
    private (PageDbConnection Connection, AdoNetRowsTable Rows) TakeWriter()
    {
        if (_idleWriters.TryTake(out (PageDbConnection Connection, AdoNetRowsTable Rows) writer))
            return writer;
        var connection = new PageDbConnection(_connectionString);
        connection.Open();
        return (connection, new AdoNetRowsTable(connection, '@', createTable: false));
    }

    /// <summary>A reader on its own connection to the shared database.</summary>
    public IBenchmarkReader OpenReader()
    {
        var connection = new PageDbConnection(_connectionString);
        connection.Open();
        return new AdoNetReader(connection);
    }

    /// <summary>W10's tables, loaded on the write connection (<see cref="AdoNetLineItems"/>).</summary>
    public void LoadLineItems(LineItemDataset data) => AdoNetLineItems.Load(_connection, data);

    /// <summary>W10's query on the write connection (<see cref="AdoNetLineItems.Query"/>).</summary>
    public IReadOnlyList<PricingSummaryRow> PricingSummary(string shipDateCutoff) => AdoNetLineItems.PricingSummary(_connection, shipDateCutoff);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach ((PageDbConnection connection, AdoNetRowsTable rows) in _idleWriters)
        {
            rows.Dispose();
            connection.Dispose();
        }
        _rows.Dispose();
        _connection.Dispose();
    }

    private static string Describe() =>
        $"PageDb {typeof(PageDatabase).Assembly.GetName().Version} through SQL: PageDb.Data (ADO.NET), prepared reused commands, table rows(id INTEGER PRIMARY KEY, name, value, payload)";
}
