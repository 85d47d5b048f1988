using PageDb.Expressions;

namespace PageDb.Sql.Scan;

/// <summary>Turns a bound syntax tree (<see cref="ExpressionBinder"/>) into the engine's <see cref="Expr"/>.</summary>
internal static class ExprBuilder
{
    /// <summary>The engine expression for <paramref name="node"/>.</summary>
    public static Expr Build(SyntaxNode node) => node switch
    {
        ColumnNode column => Expr.Col(column.Name),
        LiteralNode literal => Expr.Const(literal.Value),
        UnaryNode { Operator: UnaryOperator.Not } not => Expr.Not(Build(not.Operand)),
        UnaryNode negate => Expr.Const(0L) - Build(negate.Operand),
        IsNullNode { Negated: false } isNull => Expr.IsNull(Build(isNull.Operand)),
        IsNullNode isNotNull => Expr.Not(Expr.IsNull(Build(isNotNull.Operand))),
        BinaryNode binary => Binary(binary.Operator, Build(binary.Left), Build(binary.Right)),
        _ => throw new ArgumentException($"Unknown syntax node {node.GetType().Name}.", nameof(node)),
    };

    /// <summary>The conjunction of <paramref name="conditions"/>, or null when there are none.</summary>
    public static Expr? All(IEnumerable<SyntaxNode> conditions) =>
        conditions.Select(Build).Aggregate((Expr?)null, (all, next) => all is null ? next : Expr.And(all, next));

    private static Expr Binary(BinaryOperator op, Expr left, Expr right) => op switch
    {
        BinaryOperator.Or => Expr.Or(left, right),
        BinaryOperator.And => Expr.And(left, right),
        BinaryOperator.Equal => left == right,
        BinaryOperator.NotEqual => left != right,
        BinaryOperator.Less => left < right,
        BinaryOperator.LessOrEqual => left <= right,
        BinaryOperator.Greater => left > right,
        BinaryOperator.GreaterOrEqual => left >= right,
        BinaryOperator.Add => left + right,
        BinaryOperator.Subtract => left - right,
        BinaryOperator.Multiply => left * right,
        _ => left / right,
    };
}
