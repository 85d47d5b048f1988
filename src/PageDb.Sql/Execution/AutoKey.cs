using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// Gives a row inserted with a NULL single-column INTEGER PRIMARY KEY the next key (one more than the largest), as
/// SQLite does for its row id alias.
/// </summary>
internal sealed class AutoKey(Table table)
{
    private readonly int _ordinal = table.Schema.PrimaryKey.Count == 1 ? table.Schema.IndexOf(table.Schema.PrimaryKey[0]) : -1;
    private long? _next;

    /// <summary>Fills the key of <paramref name="row"/> when it is NULL and the table has an integer key.</summary>
    public void Fill(SqlValue[] row)
    {
        if (_ordinal < 0 || !row[_ordinal].IsNull || table.Schema.Columns[_ordinal].Type != ColumnType.Int64)
            return;
        _next ??= Largest() + 1;
        row[_ordinal] = SqlValue.FromInteger(_next.Value);
        _next++;
    }

    private long Largest()
    {
        long largest = 0;
        using var scan = table.Scan([table.Schema.Columns[_ordinal].Name]);
        foreach (Row row in scan)
            largest = Math.Max(largest, row.GetInt64(0));
        return largest;
    }
}
