using System.Data;
using System.Data.Common;
using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// W10 through ADO.NET, the same SQL for every engine driven that way (<see cref="SqliteEngine"/>,
/// <see cref="PageDbSqlEngine"/>): creates and loads the <c>part</c> and <c>lineitem</c> tables through prepared,
/// reused inserts in one transaction, and runs the pricing summary (<see cref="Query"/>) as one prepared command.
/// </summary>
internal static class AdoNetLineItems
{
    /// <summary>
    /// TPC-H Q1 (the pricing summary report) over the lines shipped by <c>@cutoff</c>, joined with <c>part</c> by its
    /// primary key and grouped by the part's manufacturer too.
    /// </summary>
    public const string Query = """
        SELECT l.returnflag, l.linestatus, p.mfgr,
               sum(l.quantity), sum(l.price), sum(l.price * (100 - l.discount)),
               sum(l.price * (100 - l.discount) * (100 + l.tax)),
               avg(l.quantity), avg(l.price), avg(l.discount), count(*)
        FROM lineitem l JOIN part p ON p.partkey = l.partkey
        WHERE l.shipdate <= @cutoff
        GROUP BY l.returnflag, l.linestatus, p.mfgr
        ORDER BY l.returnflag, l.linestatus, p.mfgr
        """;

    /// <summary>Creates both tables on <paramref name="connection"/> and inserts <paramref name="data"/> in one transaction.</summary>
    public static void Load(DbConnection connection, LineItemDataset data)
    {
        Execute(connection, "CREATE TABLE part (partkey INTEGER PRIMARY KEY, mfgr TEXT NOT NULL, brand TEXT NOT NULL, size INTEGER NOT NULL)");
        Execute(connection, """
            CREATE TABLE lineitem (id INTEGER PRIMARY KEY, orderkey INTEGER NOT NULL, partkey INTEGER NOT NULL,
                quantity INTEGER NOT NULL, price INTEGER NOT NULL, discount INTEGER NOT NULL, tax INTEGER NOT NULL,
                shipdate TEXT NOT NULL, returnflag TEXT NOT NULL, linestatus TEXT NOT NULL)
            """);
        using DbTransaction transaction = connection.BeginTransaction();
        using (DbCommand insert = Prepare(connection, transaction, "INSERT INTO part VALUES (@p0, @p1, @p2, @p3)", 4))
        {
            foreach (ref readonly Part part in data.Parts.AsSpan())
                Run(insert, part.PartKey, part.Manufacturer, part.Brand, part.Size);
        }
        using (DbCommand insert = Prepare(connection, transaction, "INSERT INTO lineitem VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9)", 10))
        {
            foreach (ref readonly LineItem line in data.LineItems.AsSpan())
            {
                Run(insert, line.Id, line.OrderKey, line.PartKey, line.Quantity, line.Price, line.Discount, line.Tax,
                    line.ShipDate, line.ReturnFlag, line.LineStatus);
            }
        }
        transaction.Commit();
    }

    /// <summary>Runs <see cref="Query"/> for <paramref name="shipDateCutoff"/> and reads every group.</summary>
    public static List<PricingSummaryRow> PricingSummary(DbConnection connection, string shipDateCutoff)
    {
        using DbCommand query = connection.CreateCommand();
        query.CommandText = Query;
        DbParameter cutoff = query.CreateParameter();
        cutoff.ParameterName = "@cutoff";
        cutoff.DbType = DbType.String;
        cutoff.Value = shipDateCutoff;
        query.Parameters.Add(cutoff);
        using DbDataReader reader = query.ExecuteReader();
        var rows = new List<PricingSummaryRow>();
        while (reader.Read())
        {
            rows.Add(new PricingSummaryRow(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6),
                reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9), reader.GetInt64(10)));
        }
        return rows;
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A prepared command with parameters <c>@p0</c>..<c>@p{count-1}</c>, in that order.</summary>
    private static DbCommand Prepare(DbConnection connection, DbTransaction transaction, string sql, int count)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (int i = 0; i < count; i++)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = $"@p{i}";
            command.Parameters.Add(parameter);
        }
        command.Prepare();
        return command;
    }

    private static void Run(DbCommand command, params ReadOnlySpan<object> values)
    {
        for (int i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
        command.ExecuteNonQuery();
    }
}
