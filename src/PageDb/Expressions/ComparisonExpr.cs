using System.Diagnostics;
using PageDb.Execution;
using PageDb.Records;

namespace PageDb.Expressions;

/// <summary>The comparison operators.</summary>
internal enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>
/// Compares two values: numbers with each other by value, other types with their own type only. Null if either is null.
/// </summary>
internal sealed class ComparisonExpr(ComparisonOperator op, Expr left, Expr right) : Expr
{
    internal override Expr Bind(IReadOnlyList<OutputColumn> columns) =>
        new ComparisonExpr(op, left.Bind(columns), right.Bind(columns));

    internal override Value Evaluate(IValueSource row)
    {
        Value a = left.Evaluate(row), b = right.Evaluate(row);
        if (a.IsNull || b.IsNull)
            return Value.Null;
        if (a.Type != b.Type && !(Value.IsNumeric(a.Type) && Value.IsNumeric(b.Type)))
            throw new InvalidOperationException($"Cannot compare {a.Type} with {b.Type} in {this}.");
        int c = Value.Compare(a, b);
        return Value.FromBoolean(op switch
        {
            ComparisonOperator.Equal => c == 0,
            ComparisonOperator.NotEqual => c != 0,
            ComparisonOperator.Less => c < 0,
            ComparisonOperator.LessOrEqual => c <= 0,
            ComparisonOperator.Greater => c > 0,
            ComparisonOperator.GreaterOrEqual => c >= 0,
            _ => throw new UnreachableException(),
        });
    }

    public override string ToString() => $"({left} {Symbol} {right})";

    private string Symbol => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        _ => ">=",
    };
}
