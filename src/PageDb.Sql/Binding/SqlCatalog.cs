using System.Numerics;
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
    public ReadTransaction Transaction { get; private set; } = transaction;

    /// <summary>Starts the catalog again in <paramref name="transaction"/>, forgetting the statistics read in the previous one.</summary>
    public void Reuse(ReadTransaction transaction)
    {
        Transaction = transaction;
        _statistics = null;
    }

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

    /// <summary>
    /// The statistics ANALYZE stored for <paramref name="table"/>'s columns (empty when it has none), read once per
    /// catalog and scaled to the table's live row count (<see cref="ColumnStatistics.ScaledTo"/>), so that estimates
    /// follow inserts and deletes made since the ANALYZE. Statistics of a table that was empty when analyzed and has
    /// rows now say nothing about them, and are dropped: the table plans as one never analyzed.
    /// </summary>
    public IReadOnlyDictionary<string, ColumnStatistics> Statistics(Table table)
    {
        _statistics ??= new(StringComparer.Ordinal);
        if (!_statistics.TryGetValue(table.Name, out Dictionary<string, ColumnStatistics>? columns))
        {
            columns = StatisticsStore.Read(Transaction, table.Name);
            if (columns.Count > 0)
                columns = ScaledTo(columns, table.Count);
            _statistics[table.Name] = columns;
        }
        return columns;
    }

    private static Dictionary<string, ColumnStatistics> ScaledTo(Dictionary<string, ColumnStatistics> analyzed, long rows)
    {
        var scaled = new Dictionary<string, ColumnStatistics>(StringComparer.Ordinal);
        foreach ((string name, ColumnStatistics column) in analyzed)
        {
            if (column.Rows == 0 && rows > 0)
                return [];
            scaled[name] = column.ScaledTo(rows);
        }
        return scaled;
    }

    /// <summary>
    /// The power of two <paramref name="table"/>'s row count is at (0 for an empty table): a cached plan of an
    /// analyzed table compiles again when it changes, as the statistics scaled to the rows have changed.
    /// </summary>
    public static int SizeClass(Table table) => table.Count is var rows and > 0 ? 1 + BitOperations.Log2((ulong)rows) : 0;

    /// <summary>The column of <paramref name="table"/> called <paramref name="name"/> (any case), or null.</summary>
    public static Column? FindColumn(Table table, string name) =>
        table.Schema.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
