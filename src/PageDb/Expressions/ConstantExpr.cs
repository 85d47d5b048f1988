using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>A constant value.</summary>
internal sealed class ConstantExpr(Value value) : Expr
{
    internal override Expr Bind(IReadOnlyList<OutputColumn> columns) => this;

    internal override Value Evaluate(IValueSource row) => value;

    public override string ToString() => value.ToString();
}
