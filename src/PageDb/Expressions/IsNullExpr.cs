using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>True when the operand is null.</summary>
internal sealed class IsNullExpr(Expr operand) : Expr
{
    internal override Expr Bind(IReadOnlyList<OutputColumn> columns) => new IsNullExpr(operand.Bind(columns));

    internal override Value Evaluate(IValueSource row) => Value.FromBoolean(operand.Evaluate(row).IsNull);

    public override string ToString() => $"({operand} is null)";
}
