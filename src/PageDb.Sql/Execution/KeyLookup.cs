using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// Reads a FROM table by its single-column primary key instead of scanning it, when the WHERE clause has
/// <c>key = value</c> or <c>key IN (values)</c> with values that do not depend on the query's own tables. The
/// condition itself stays in the plan and is checked on the rows read, so the lookup only has to find every row the
/// condition could accept: each value is converted to the key column's type as the comparison would convert it, and
/// when one cannot be (text that is not a number, for an integer key) the table is scanned after all.
/// </summary>
internal sealed class KeyLookup(Table table, IReadOnlyList<Evaluator> keys)
{
    private readonly Column _key = table.Schema.Columns[table.Schema.IndexOf(table.Schema.PrimaryKey[0])];

    /// <summary>The rows with the keys, in key order (a scan's order); null when the table must be scanned instead.</summary>
    public List<SqlValue[]>? TryRead(Frame? outer, ExecutionContext context)
    {
        var frame = new Frame(context, [], outer);
        var stored = new SortedSet<SqlValue>(Comparer<SqlValue>.Create(SqlValue.Compare));
        foreach (Evaluator key in keys)
        {
            SqlValue value = key(frame);
            if (value.IsNull)
                continue;
            SqlValue converted = value.WithAffinity(TypeMapping.AffinityOf(_key.Type));
            if (!Fits(converted))
                return null;
            stored.Add(converted);
        }
        var rows = new List<SqlValue[]>(stored.Count);
        foreach (SqlValue key in stored)
        {
            Row? row = table.Get(Row.Of(StoredValues.ToStored(key, _key, table.Name)));
            if (row is not null)
                rows.Add(StoredValues.FromRow(row));
        }
        return rows;
    }

    /// <summary>True when the value can be a key of the column (else only a scan can say which rows compare equal).</summary>
    private bool Fits(SqlValue value) => _key.Type switch
    {
        ColumnType.Int64 => value.Kind == SqlValueKind.Integer,
        ColumnType.Double => value.IsNumeric,
        ColumnType.String => value.Kind == SqlValueKind.Text,
        _ => false,
    };
}
