namespace PageDb.Execution;

/// <summary>Inserts every input row (its values in the table's column order) into a table.</summary>
public sealed class InsertRows : WriteOperator
{
    /// <summary>Inserts the rows of <paramref name="input"/> into <paramref name="table"/>.</summary>
    /// <exception cref="ArgumentException">The input has a different number of columns than the table.</exception>
    public InsertRows(Table table, PlanOperator input) : base(table, input)
    {
        if (input.Columns.Count != table.Schema.Columns.Count)
            throw new ArgumentException($"The input has {input.Columns.Count} columns; table '{table.Name}' has {table.Schema.Columns.Count}.", nameof(input));
    }

    /// <inheritdoc/>
    public override string ToString() => $"InsertRows into {Table.Name}";

    private protected override bool Apply(Row row)
    {
        Table.Insert(row);
        return true;
    }
}
