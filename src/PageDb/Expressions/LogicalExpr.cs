using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>And / or.</summary>
internal enum LogicalOperator
{
    And,
    Or,
}

/// <summary>SQL's three-valued and/or: false and null is false, true or null is true, otherwise null wins.</summary>
internal sealed class LogicalExpr(LogicalOperator op, Expr left, Expr right) : Expr
{
    internal override Expr Bind(IReadOnlyList<OutputColumn> columns) =>
        new LogicalExpr(op, left.Bind(columns), right.Bind(columns));

    internal override Value Evaluate(IValueSource row)
    {
        Value a = Boolean(left.Evaluate(row));
        bool decisive = op == LogicalOperator.Or;
        if (!a.IsNull && a.AsBoolean == decisive)
            return a;
        Value b = Boolean(right.Evaluate(row));
        if (!b.IsNull && b.AsBoolean == decisive)
            return b;
        return a.IsNull || b.IsNull ? Value.Null : Value.FromBoolean(!decisive);
    }

    public override string ToString() => $"({left} {(op == LogicalOperator.And ? "and" : "or")} {right})";

    private static Value Boolean(Value value)
    {
        if (!value.IsNull && value.Type != ColumnType.Boolean)
            ThrowNotBoolean(value);
        return value;
    }
}
