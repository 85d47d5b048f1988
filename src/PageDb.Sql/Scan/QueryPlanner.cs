using PageDb.Execution;
using PageDb.Expressions;

namespace PageDb.Sql.Scan;

/// <summary>
/// Builds the operator plan for a bound <see cref="ScanQuery"/>: an <see cref="IndexScan"/> over the key range the
/// condition gives (<see cref="IndexRange"/>) with the rest of the condition as a <see cref="Filter"/>, or else a
/// <see cref="TableScan"/> with the whole condition pushed down; then <see cref="Sort"/>, <see cref="Limit"/>, and a
/// <see cref="Project"/> when the sort or filter needed columns that are not printed.
/// </summary>
internal static class QueryPlanner
{
    /// <summary>The plan for <paramref name="query"/> (bound to <paramref name="table"/>'s schema) over <paramref name="table"/>.</summary>
    public static PlanOperator Plan(Table table, ScanQuery query)
    {
        List<SyntaxNode> conjuncts = query.Where is null ? [] : Conjuncts(query.Where);
        IndexRange? range = IndexRange.Choose(table, conjuncts);
        List<SyntaxNode> residual = range is null ? [] : conjuncts.FindAll(c => !range.Used.Any(u => ReferenceEquals(u, c)));
        IReadOnlyList<string> output = query.Columns ?? [.. table.Schema.Columns.Select(c => c.Name)];
        List<string> read = ColumnsToRead(output, [.. residual, .. query.OrderBy.Select(o => o.Expression)]);

        PlanOperator plan = range is null
            ? table.Scan(read, query.Where is null ? null : ExprBuilder.Build(query.Where))
            : Filtered(range.Scan(table, read), ExprBuilder.All(residual));
        if (query.OrderBy.Count > 0)
            plan = new Sort(plan, [.. query.OrderBy.Select(o => new SortKey(ExprBuilder.Build(o.Expression), o.Descending))]);
        if (query.Limit is { } limit)
            plan = new Limit(plan, limit);
        return read.Count == output.Count ? plan : new Project(plan, output);
    }

    /// <summary>The top-level operands of the condition's ands.</summary>
    private static List<SyntaxNode> Conjuncts(SyntaxNode condition) =>
        condition is BinaryNode { Operator: BinaryOperator.And } and
            ? [.. Conjuncts(and.Left), .. Conjuncts(and.Right)]
            : [condition];

    /// <summary>The printed columns, then any other column that <paramref name="later"/> operators read.</summary>
    private static List<string> ColumnsToRead(IReadOnlyList<string> output, IEnumerable<SyntaxNode> later)
    {
        var read = new List<string>(output);
        foreach (ColumnNode column in later.SelectMany(n => n.DescendantsAndSelf()).OfType<ColumnNode>())
        {
            if (!read.Contains(column.Name))
                read.Add(column.Name);
        }
        return read;
    }

    private static PlanOperator Filtered(PlanOperator input, Expr? condition) =>
        condition is null ? input : new Filter(input, condition);
}
