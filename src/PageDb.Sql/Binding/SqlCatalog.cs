using PageDb.Sql.Statistics;

namespace PageDb.Sql.Binding;

/// <summary>
/// The tables and indexes a statement can name, looked up in its transaction. SQL names are case-insensitive, so a
/// name finds the table whatever case it was created with; index names are one namespace across all tables.
/// </summary>
internal sealed class SqlCatalog(ReadTransaction transaction)
{
    // Made on first use: a statement whose cached plan fits reads no statistics.
    private Dictionary<string, Dictionary<string, ColumnStatistics>>? _statistics;

    /// <summary>The transaction the catalog reads.</summary>
    public ReadTransaction Transaction { get; } = transaction;

    /// <summary>The table called <paramref name="name"/> (any case), or null.</summary>
    public Table? FindTable(string name)
    {
        if (Transaction.TryGetTable(name, out Table? exact))
            return exact;
        foreach (string candidate in Transaction.TableNames)
        {
            if (string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase))
                return Transaction.GetTable(candidate);
        }
        return null;
    }

    /// <summary>The table called <paramref name="name"/>.</summary>
    /// <exception cref="SqlException">There is none.</exception>
    public Table RequireTable(string name, Func<string, SqlException> error) =>
        FindTable(name) ?? throw error($"No such table: {name}.");

    /// <summary>The table that has the index called <paramref name="name"/> (any case), and the index's own name.</summary>
    public (Table Table, string Index)? FindIndex(string name)
    {
        foreach (string tableName in Transaction.TableNames)
        {
            Table table = Transaction.GetTable(tableName);
            foreach (string index in table.IndexNames)
            {
                if (string.Equals(index, name, StringComparison.OrdinalIgnoreCase))
                    return (table, index);
            }
        }
        return null;
    }

    /// <summary>The statistics ANALYZE stored for <paramref name="table"/>'s columns (empty when it has none), read once per catalog.</summary>
    public IReadOnlyDictionary<string, ColumnStatistics> Statistics(Table table)
    {
        _statistics ??= new(StringComparer.Ordinal);
        if (!_statistics.TryGetValue(table.Name, out Dictionary<string, ColumnStatistics>? columns))
        {
            columns = StatisticsStore.Read(Transaction, table.Name);
            _statistics[table.Name] = columns;
        }
        return columns;
    }

    /// <summary>The column of <paramref name="table"/> called <paramref name="name"/> (any case), or null.</summary>
    public static Column? FindColumn(Table table, string name) =>
        table.Schema.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
