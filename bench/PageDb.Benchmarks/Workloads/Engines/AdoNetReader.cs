using System.Data;
using System.Data.Common;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// One ADO.NET connection with its three prepared read statements, for one thread: SQLite's through
/// Microsoft.Data.Sqlite and PageDb's through PageDb.Data run the same SQL, parameters and reads.
/// </summary>
internal sealed class AdoNetReader : IBenchmarkReader
{
    private readonly DbConnection _connection;
    private readonly DbCommand _get;
    private readonly DbParameter _getId;
    private readonly DbCommand _scanAll;
    private readonly DbCommand _scanRange;
    private readonly DbParameter _from;
    private readonly DbParameter _to;

    public AdoNetReader(DbConnection connection)
    {
        _connection = connection;
        _get = Prepare("SELECT name, value, payload FROM rows WHERE id = @id", "@id");
        _getId = _get.Parameters[0];
        _scanAll = Prepare("SELECT value FROM rows ORDER BY id");
        _scanRange = Prepare("SELECT value FROM rows WHERE id >= @from AND id < @to ORDER BY id", "@from", "@to");
        _from = _scanRange.Parameters[0];
        _to = _scanRange.Parameters[1];
    }

    public bool TryGet(long id, out BenchRow row)
    {
        _getId.Value = id;
        using DbDataReader reader = _get.ExecuteReader();
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

    private static ScanTotals Sum(DbCommand command)
    {
        ScanTotals totals = default;
        using DbDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            totals = totals.Add(reader.GetDouble(0));
        }
        return totals;
    }

    /// <summary>A prepared command with one Int64 parameter per name given, in that order.</summary>
    private DbCommand Prepare(string sql, params string[] parameterNames)
    {
        DbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in parameterNames)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = DbType.Int64;
            command.Parameters.Add(parameter);
        }
        command.Prepare();
        return command;
    }
}
