using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>Boolean negation; null stays null.</summary>
internal sealed class NotExpr(Expr operand) : Expr
{
    internal override Expr Bind(IReadOnlyList<OutputColumn> columns) => new NotExpr(operand.Bind(columns));

    internal override Value Evaluate(IValueSource row)
    {
        Value value = operand.Evaluate(row);
        if (value.IsNull)
            return value;
        if (value.Type != ColumnType.Boolean)
            ThrowNotBoolean(value);
        return Value.FromBoolean(!value.AsBoolean);
    }

    public override string ToString() => $"(not {operand})";
}
