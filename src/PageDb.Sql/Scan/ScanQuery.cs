namespace PageDb.Sql.Scan;

/// <summary>
/// What <c>pagedb scan</c> was asked for: the columns to print (null: all), the condition, the sort keys and the row
/// limit. <see cref="Parse"/> checks the syntax before the database is opened; <see cref="Bind"/> checks the names
/// and types against the table.
/// </summary>
internal sealed record ScanQuery(IReadOnlyList<string>? Columns, SyntaxNode? Where, IReadOnlyList<OrderItem> OrderBy, long? Limit)
{
    /// <summary>The query the options spell; null options ask for nothing.</summary>
    public static ScanQuery Parse(string? columns, string? where, string? orderBy, long? limit) => new(
        columns is null ? null : ParseColumns(columns),
        where is null ? null : ScanSyntax.ParseCondition(where, "--where"),
        orderBy is null ? [] : ScanSyntax.ParseOrderBy(orderBy, "--order-by"),
        limit);

    /// <summary>The query checked against <paramref name="schema"/>, with its literals in their columns' types.</summary>
    public ScanQuery Bind(TableSchema schema)
    {
        if (Columns is not null)
        {
            var binder = new ExpressionBinder(schema, "--columns");
            foreach (string column in Columns)
                binder.Resolve(column);
        }
        var orderBinder = new ExpressionBinder(schema, "--order-by");
        return this with
        {
            Where = Where is null ? null : new ExpressionBinder(schema, "--where").BindCondition(Where),
            OrderBy = [.. OrderBy.Select(item => item with { Expression = orderBinder.BindValue(item.Expression) })],
        };
    }

    private static string[] ParseColumns(string text)
    {
        string[] columns = text.Split(',', StringSplitOptions.TrimEntries);
        if (columns.Any(c => c.Length == 0))
            throw new SqlException($"--columns: '{text}' has an empty column name (write names separated by commas)");
        return columns;
    }
}
