using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>A reference to an input column, by name until bound, by position after.</summary>
internal sealed class ColumnExpr(string? name, int ordinal) : Expr
{
    public int Ordinal => ordinal;

    public string? Name => name;

    internal override Expr Bind(IReadOnlyList<OutputColumn> columns)
    {
        if (name is null)
        {
            if (ordinal >= columns.Count)
                throw new ArgumentException($"Column {ordinal} is past the input's {columns.Count} columns.", nameof(columns));
            return new ColumnExpr(columns[ordinal].Name, ordinal);
        }
        return new ColumnExpr(name, OutputColumn.Resolve(columns, name));
    }

    internal override Value Evaluate(IValueSource row) => row.GetValue(ordinal);

    public override string ToString() => name ?? "#" + ordinal;
}
