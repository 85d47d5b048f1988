using Microsoft.Data.Sqlite;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>One SQLite connection with its three prepared read statements, for one thread.</summary>
internal sealed class SqliteReader : IBenchmarkReader
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    private readonly SqliteParameter _getId;
    private readonly SqliteCommand _scanAll;
    private readonly SqliteCommand _scanRange;
    private readonly SqliteParameter _from;
    private readonly SqliteParameter _to;

    public SqliteReader(SqliteConnection connection)
    {
        _connection = connection;
        _get = Prepare("SELECT name, value, payload FROM rows WHERE id = $id");
        _getId = _get.Parameters.Add("$id", SqliteType.Integer);
        _scanAll = Prepare("SELECT value FROM rows ORDER BY id");
        _scanRange = Prepare("SELECT value FROM rows WHERE id >= $from AND id < $to ORDER BY id");
        _from = _scanRange.Parameters.Add("$from", SqliteType.Integer);
        _to = _scanRange.Parameters.Add("$to", SqliteType.Integer);
        _get.Prepare();
        _scanAll.Prepare();
        _scanRange.Prepare();
    }

    public bool TryGet(long id, out BenchRow row)
    {
        _getId.Value = id;
        using SqliteDataReader reader = _get.ExecuteReader();
        if (!reader.Read())
        {
            row = default;
            return false;
        }
        row = new BenchRow(id, reader.GetString(0), reader.GetDouble(1), reader.GetString(2));
        return true;
    }

    public ScanTotals ScanAll() => Sum(_scanAll);

    public ScanTotals ScanRange(long fromInclusive, long toExclusive)
    {
        _from.Value = fromInclusive;
        _to.Value = toExclusive;
        return Sum(_scanRange);
    }

    public void Dispose()
    {
        _get.Dispose();
        _scanAll.Dispose();
        _scanRange.Dispose();
        _connection.Dispose();
    }

    private static ScanTotals Sum(SqliteCommand command)
    {
        ScanTotals totals = default;
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            totals = totals.Add(reader.GetDouble(0));
        }
        return totals;
    }

    private SqliteCommand Prepare(string sql)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
