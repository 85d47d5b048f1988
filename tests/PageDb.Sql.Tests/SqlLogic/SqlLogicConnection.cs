using PageDb.Data;
using PageDb.Sql.Values;

namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>
/// The runner's way into PageDb: the ADO.NET provider, on a private in-memory database, as a program would use it
/// (a command per record, a reader for query rows).
/// </summary>
public sealed class SqlLogicConnection : IDisposable
{
    private readonly PageDbConnection _connection = new($"Data Source=slt-{Guid.NewGuid():N};Mode=Memory;Durability=None");

    /// <summary>Opens the connection.</summary>
    public SqlLogicConnection() => _connection.Open();

    /// <summary>Runs a statement.</summary>
    public void Execute(string sql)
    {
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a query and returns its rows.</summary>
    public List<SqlValue[]> Query(string sql)
    {
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        using PageDbDataReader reader = command.ExecuteReader();
        var rows = new List<SqlValue[]>();
        while (reader.Read())
        {
            var row = new SqlValue[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
                row[i] = reader.GetSqlValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Closes the connection, which drops the database.</summary>
    public void Dispose() => _connection.Dispose();
}
