using System.Data;
using System.Data.Common;
using PageDb.Data;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// PageDb through SQL, as an application written against ADO.NET would use it: PageDb.Data's <see cref="PageDbConnection"/>
/// (<c>Durability=Full</c> or <c>Normal</c> by the workload; the database's default 64 MiB cache and 4096-byte pages),
/// the table <c>rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, payload TEXT NOT NULL)</c>, and
/// the same prepared, reused commands with parameters as <see cref="SqliteEngine"/> (reads in <see cref="AdoNetReader"/>).
/// Connections of the process share the one open database, so each reader has its own connection and session.
/// </summary>
public sealed class PageDbSqlEngine : IBenchmarkEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("pagedb-sql", Describe, settings => new PageDbSqlEngine(settings));

    private const string FileName = "bench.pagedb";

    private readonly string _connectionString;
    private readonly Lock _writer = new(); // serializes concurrent one-row inserts (W9): a connection is single-threaded
    private readonly PageDbConnection _connection;
    private readonly PageDbCommand _insert;
    private readonly DbParameter _id;
    private readonly DbParameter _name;
    private readonly DbParameter _value;
    private readonly DbParameter _payload;

    private PageDbSqlEngine(EngineSettings settings)
    {
        string durability = settings.Durability == BenchDurability.Full ? "Full" : "Normal";
        _connectionString = $"Data Source={Path.Combine(settings.Folder, FileName)};Mode=ReadWriteCreate;Durability={durability}";
        _connection = new PageDbConnection(_connectionString);
        _connection.Open();
        using (var create = new PageDbCommand("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, payload TEXT NOT NULL)", _connection))
            create.ExecuteNonQuery();
        _insert = new PageDbCommand("INSERT INTO rows (id, name, value, payload) VALUES (@id, @name, @value, @payload)", _connection);
        _id = Add(_insert, "@id", DbType.Int64);
        _name = Add(_insert, "@name", DbType.String);
        _value = Add(_insert, "@value", DbType.Double);
        _payload = Add(_insert, "@payload", DbType.String);
        _insert.Prepare();
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        using DbTransaction transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        foreach (ref readonly BenchRow row in rows.Span)
            Insert(row);
        transaction.Commit();
        _insert.Transaction = null;
    }

    /// <summary>An autocommit statement; concurrent callers take turns on the write connection.</summary>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        lock (_writer)
            Insert(row);
    }

    /// <summary>A reader on its own connection to the shared database.</summary>
    public IBenchmarkReader OpenReader()
    {
        var connection = new PageDbConnection(_connectionString);
        connection.Open();
        return new AdoNetReader(connection);
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

    private static DbParameter Add(PageDbCommand command, string name, DbType type)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static string Describe() =>
        $"PageDb {typeof(PageDatabase).Assembly.GetName().Version} through SQL: PageDb.Data (ADO.NET), prepared reused commands, table rows(id INTEGER PRIMARY KEY, name, value, payload)";
}
