using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Updates the rows an input holds: the input must have every column of the table by name (and
/// <see cref="TableSchema.RowIdColumn"/> for a table without a key), as a scan of the table has. Each assignment's
/// expression is evaluated on the input row; a changed primary key moves the row.
/// </summary>
public sealed class UpdateRows : WriteOperator
{
    private readonly int[] _keyOrdinals;
    private readonly int[] _columnOrdinals;
    private readonly (int Column, Expr Value)[] _assignments;
    private readonly string _text;

    /// <summary>Sets, in each input row's stored row, the named columns to the expressions' values.</summary>
    /// <exception cref="ArgumentException">The input lacks a column, or an assignment names a column the table lacks.</exception>
    public UpdateRows(Table table, PlanOperator input, IReadOnlyList<(string Column, Expr Value)> assignments) : base(table, input)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        _keyOrdinals = InputOrdinals(KeyNames());
        _columnOrdinals = InputOrdinals(table.Schema.Columns.Select(c => c.Name));
        _assignments = assignments.Select(a => (table.Schema.RequireOrdinal(a.Column, nameof(assignments)), a.Value.Bind(input.Columns))).ToArray();
        _text = string.Join(", ", assignments.Select(a => $"{a.Column} = {a.Value}"));
    }

    /// <inheritdoc/>
    public override string ToString() => $"UpdateRows {Table.Name} set {_text}";

    private protected override bool Apply(Row row)
    {
        var values = new Value[_columnOrdinals.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = row.GetValue(_columnOrdinals[i]);
        foreach ((int column, Expr value) in _assignments)
            values[column] = value.Evaluate(row);
        Table.Replace(EncodeKey(row, _keyOrdinals), new Row(values));
        return true;
    }
}
