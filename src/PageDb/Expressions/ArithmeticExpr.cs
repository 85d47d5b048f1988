using System.Diagnostics;
using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>The arithmetic operators.</summary>
internal enum ArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

/// <summary>
/// Arithmetic on numbers: Int64 with Int64 gives Int64 (wrapping on overflow; division by zero gives null), any
/// Double gives Double (IEEE), otherwise Decimal with Decimal or Int64 gives Decimal (division by zero gives null).
/// Null if either side is null.
/// </summary>
internal sealed class ArithmeticExpr(ArithmeticOperator op, Expr left, Expr right) : Expr
{
    internal override Expr Bind(IReadOnlyList<OutputColumn> columns) =>
        new ArithmeticExpr(op, left.Bind(columns), right.Bind(columns));

    internal override Value Evaluate(IValueSource row)
    {
        Value a = left.Evaluate(row), b = right.Evaluate(row);
        if (a.IsNull || b.IsNull)
            return Value.Null;
        if (!Value.IsNumeric(a.Type) || !Value.IsNumeric(b.Type))
            throw new InvalidOperationException($"Cannot compute {a.Type} and {b.Type} in {this}.");
        if (a.Type == ColumnType.Int64 && b.Type == ColumnType.Int64)
            return Int64(a.AsInt64, b.AsInt64);
        if (a.Type == ColumnType.Double || b.Type == ColumnType.Double)
            return Value.FromDouble(Double(a.ToDouble(), b.ToDouble()));
        return Decimal(a.ToDecimal(), b.ToDecimal());
    }

    public override string ToString() => $"({left} {Symbol} {right})";

    private string Symbol => op switch
    {
        ArithmeticOperator.Add => "+",
        ArithmeticOperator.Subtract => "-",
        ArithmeticOperator.Multiply => "*",
        ArithmeticOperator.Divide => "/",
        _ => "%",
    };

    private Value Int64(long x, long y)
    {
        if (y == 0 && op is ArithmeticOperator.Divide or ArithmeticOperator.Remainder)
            return Value.Null;
        return Value.FromInt64(op switch
        {
            ArithmeticOperator.Add => unchecked(x + y),
            ArithmeticOperator.Subtract => unchecked(x - y),
            ArithmeticOperator.Multiply => unchecked(x * y),
            ArithmeticOperator.Divide => y == -1 ? unchecked(-x) : x / y,
            ArithmeticOperator.Remainder => y == -1 ? 0 : x % y,
            _ => throw new UnreachableException(),
        });
    }

    private double Double(double x, double y) => op switch
    {
        ArithmeticOperator.Add => x + y,
        ArithmeticOperator.Subtract => x - y,
        ArithmeticOperator.Multiply => x * y,
        ArithmeticOperator.Divide => x / y,
        ArithmeticOperator.Remainder => x % y,
        _ => throw new UnreachableException(),
    };

    private Value Decimal(decimal x, decimal y)
    {
        if (y == 0 && op is ArithmeticOperator.Divide or ArithmeticOperator.Remainder)
            return Value.Null;
        return Value.FromDecimal(op switch
        {
            ArithmeticOperator.Add => x + y,
            ArithmeticOperator.Subtract => x - y,
            ArithmeticOperator.Multiply => x * y,
            ArithmeticOperator.Divide => x / y,
            ArithmeticOperator.Remainder => x % y,
            _ => throw new UnreachableException(),
        });
    }
}
