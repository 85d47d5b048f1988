using PageDb.Sql.Execution;
using PageDb.Sql.Syntax;

namespace PageDb.Sql.Binding;

/// <summary>Finds aggregate calls in an expression (not inside its subqueries, which are queries of their own).</summary>
internal static class AggregateFinder
{
    /// <summary>True when <paramref name="expression"/> calls an aggregate function.</summary>
    public static bool Contains(SqlExpr expression) => expression switch
    {
        FunctionExpr f => Accumulator.IsAggregate(f.Name, f.Arguments.Count, f.Star) || f.Arguments.Any(Contains),
        UnaryExpr u => Contains(u.Operand),
        BinaryExpr b => Contains(b.Left) || Contains(b.Right),
        IsNullExpr n => Contains(n.Operand),
        BetweenExpr b => Contains(b.Operand) || Contains(b.Low) || Contains(b.High),
        InListExpr i => Contains(i.Operand) || i.Items.Any(Contains),
        InSelectExpr i => Contains(i.Operand),
        LikeExpr l => Contains(l.Operand) || Contains(l.Pattern) || (l.Escape is not null && Contains(l.Escape)),
        CastExpr c => Contains(c.Operand),
        CaseExpr c => (c.Base is not null && Contains(c.Base)) || c.Branches.Any(b => Contains(b.When) || Contains(b.Then))
            || (c.Else is not null && Contains(c.Else)),
        _ => false,
    };
}
