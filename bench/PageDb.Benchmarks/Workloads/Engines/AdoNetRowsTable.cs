using System.Data;
using System.Data.Common;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// The writing half of the engines driven through ADO.NET (<see cref="SqliteEngine"/>, <see cref="PageDbSqlEngine"/>):
/// creates the table <c>rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, payload TEXT NOT NULL)</c>
/// on the write connection and inserts through one prepared command, reused with its parameters. The reading half is
/// <see cref="AdoNetReader"/>. The connection stays the engine's.
/// </summary>
internal sealed class AdoNetRowsTable : IDisposable
{
    private readonly DbConnection _connection;
    private readonly DbCommand _insert;
    private readonly DbParameter _id;
    private readonly DbParameter _name;
    private readonly DbParameter _value;
    private readonly DbParameter _payload;

    /// <summary>
    /// Creates the table on <paramref name="connection"/> (unless <paramref name="createTable"/> is false: another
    /// connection to the database did); <paramref name="parameterPrefix"/> is the provider's ('$', '@').
    /// </summary>
    public AdoNetRowsTable(DbConnection connection, char parameterPrefix, bool createTable = true)
    {
        _connection = connection;
        if (createTable)
        {
            using DbCommand create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, payload TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        char p = parameterPrefix;
        _insert = connection.CreateCommand();
        _insert.CommandText = $"INSERT INTO rows (id, name, value, payload) VALUES ({p}id, {p}name, {p}value, {p}payload)";
        _id = AddParameter($"{p}id", DbType.Int64);
        _name = AddParameter($"{p}name", DbType.String);
        _value = AddParameter($"{p}value", DbType.Double);
        _payload = AddParameter($"{p}payload", DbType.String);
        _insert.Prepare();
    }

    /// <summary>
    /// Serializes the users of the write connection (a connection is single-threaded): concurrent one-row inserts (W9)
    /// take turns on it, and so does anything else the engine runs there.
    /// </summary>
    public Lock Writer { get; } = new();

    /// <summary>All of <paramref name="rows"/> in one transaction.</summary>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        using DbTransaction transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        foreach (ref readonly BenchRow row in rows.Span)
            Insert(row);
        transaction.Commit();
        _insert.Transaction = null;
    }

    /// <summary>An autocommit statement, the idiomatic single insert; concurrent callers take turns (<see cref="Writer"/>).</summary>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        lock (Writer)
            Insert(row);
    }

    /// <summary>
    /// An autocommit statement through the provider's <c>ExecuteNonQueryAsync</c>, by one caller at a time (the
    /// connection is single-threaded; <see cref="Writer"/> is not taken, as a lock cannot be held across an await).
    /// </summary>
    public Task InsertInOwnTransactionAsync(in BenchRow row)
    {
        SetParameters(row);
        return _insert.ExecuteNonQueryAsync();
    }

    public void Dispose() => _insert.Dispose();

    private void Insert(in BenchRow row)
    {
        SetParameters(row);
        _insert.ExecuteNonQuery();
    }

    private void SetParameters(in BenchRow row)
    {
        _id.Value = row.Id;
        _name.Value = row.Name;
        _value.Value = row.Value;
        _payload.Value = row.Payload;
    }

    private DbParameter AddParameter(string name, DbType type)
    {
        DbParameter parameter = _insert.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        _insert.Parameters.Add(parameter);
        return parameter;
    }
}
