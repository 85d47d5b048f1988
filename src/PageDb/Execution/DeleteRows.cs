namespace PageDb.Execution;

/// <summary>
/// Deletes the rows an input identifies: the input must have the table's key columns by name (the primary key's,
/// or <see cref="TableSchema.RowIdColumn"/> for a table without one), as a scan of the table has.
/// </summary>
public sealed class DeleteRows : WriteOperator
{
    private readonly int[] _keyOrdinals;

    /// <summary>Deletes from <paramref name="table"/> the rows <paramref name="input"/> identifies.</summary>
    /// <exception cref="ArgumentException">The input lacks a key column.</exception>
    public DeleteRows(Table table, PlanOperator input) : base(table, input) => _keyOrdinals = InputOrdinals(KeyNames());

    /// <inheritdoc/>
    public override string ToString() => $"DeleteRows from {Table.Name}";

    private protected override bool Apply(Row row) => Table.DeleteEncoded(EncodeKey(row, _keyOrdinals));
}
