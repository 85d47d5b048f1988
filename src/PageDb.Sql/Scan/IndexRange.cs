using PageDb.Execution;

namespace PageDb.Sql.Scan;

/// <summary>
/// A key range on the first column of the primary key (<see cref="Index"/> null) or of a secondary index, taken from
/// the condition's top-level conjuncts of the form <c>column op constant</c> (op one of = &lt; &lt;= &gt; &gt;=, the
/// constant of the column's own type). <see cref="Used"/> are the conjuncts the range enforces; the rest stay a filter.
/// </summary>
internal sealed record IndexRange(string? Index, KeyBound? Low, KeyBound? High, IReadOnlyList<SyntaxNode> Used)
{
    /// <summary>
    /// The range on the primary key if the conjuncts constrain it, else on the first secondary index (in name order)
    /// they constrain; null when none is.
    /// </summary>
    public static IndexRange? Choose(Table table, IReadOnlyList<SyntaxNode> conjuncts)
    {
        foreach ((string? index, string columnName) in KeyColumns(table))
        {
            Column column = Column(table.Schema, columnName);
            if (Find(index, column, conjuncts) is { } range)
                return range;
        }
        return null;
    }

    /// <summary>The scan of the range producing <paramref name="columns"/>.</summary>
    public IndexScan Scan(Table table, IReadOnlyList<string> columns) => table.IndexScan(Index,
        Low is null ? null : Row.Of(Low.Value), High is null ? null : Row.Of(High.Value),
        Low?.Inclusive ?? true, High?.Inclusive ?? true, columns);

    private static IEnumerable<(string? Index, string Column)> KeyColumns(Table table)
    {
        yield return (null, table.Schema.HasRowId ? TableSchema.RowIdColumn : table.Schema.PrimaryKey[0]);
        foreach (string index in table.IndexNames)
            yield return (index, table.IndexColumns(index)[0]);
    }

    private static Column Column(TableSchema schema, string name) =>
        schema.HasRowId && name == TableSchema.RowIdColumn ? new Column(name, ColumnType.Int64) : schema.Columns[schema.IndexOf(name)];

    /// <summary>
    /// The first lower and first upper bound on <paramref name="column"/>. An equality is used only when it can give
    /// both. Nulls sort first in an index, so a nullable column needs a lower bound to leave them out.
    /// </summary>
    private static IndexRange? Find(string? index, Column column, IReadOnlyList<SyntaxNode> conjuncts)
    {
        KeyBound? low = null, high = null;
        var used = new List<SyntaxNode>();
        foreach (SyntaxNode conjunct in conjuncts)
        {
            if (Bound(conjunct, column) is not var (op, value))
                continue;
            bool lower = op is BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.Equal;
            bool upper = op is BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Equal;
            if ((lower && low is not null) || (upper && high is not null))
                continue;
            bool inclusive = op is BinaryOperator.Equal or BinaryOperator.GreaterOrEqual or BinaryOperator.LessOrEqual;
            if (lower)
                low = new KeyBound(value, inclusive);
            if (upper)
                high = new KeyBound(value, inclusive);
            used.Add(conjunct);
        }
        if (low is null && (high is null || column.Nullable))
            return null;
        return new IndexRange(index, low, high, used);
    }

    /// <summary>The conjunct as <c>column op value</c> (turned around when the constant comes first), or null.</summary>
    private static (BinaryOperator Op, object Value)? Bound(SyntaxNode conjunct, Column column)
    {
        if (conjunct is not BinaryNode { IsComparison: true, Operator: not BinaryOperator.NotEqual } comparison)
            return null;
        return (comparison.Left, comparison.Right) switch
        {
            (ColumnNode c, LiteralNode { Value: { } v }) when Fits(c, v, column) => (comparison.Operator, v),
            (LiteralNode { Value: { } v }, ColumnNode c) when Fits(c, v, column) => (Mirror(comparison.Operator), v),
            _ => null,
        };
    }

    private static bool Fits(ColumnNode node, object value, Column column) =>
        node.Name == column.Name && TypeMatches(value, column.Type);

    private static bool TypeMatches(object value, ColumnType type) => (value, type) switch
    {
        (long, ColumnType.Int64) or (double, ColumnType.Double) or (bool, ColumnType.Boolean) or (string, ColumnType.String)
            or (byte[], ColumnType.Bytes) or (DateTime, ColumnType.DateTime) or (decimal, ColumnType.Decimal) => true,
        _ => false,
    };

    private static BinaryOperator Mirror(BinaryOperator op) => op switch
    {
        BinaryOperator.Less => BinaryOperator.Greater,
        BinaryOperator.LessOrEqual => BinaryOperator.GreaterOrEqual,
        BinaryOperator.Greater => BinaryOperator.Less,
        BinaryOperator.GreaterOrEqual => BinaryOperator.LessOrEqual,
        _ => op,
    };
}

/// <summary>One end of an <see cref="IndexRange"/>: the key column's value and whether it is inside the range.</summary>
internal sealed record KeyBound(object Value, bool Inclusive);
