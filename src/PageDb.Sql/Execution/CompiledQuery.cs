using PageDb.Sql.Binding;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// A compiled SELECT: its cores, how they combine, ORDER BY, LIMIT and OFFSET. A query that does not refer to an
/// enclosing query is computed once per statement however often it is used.
/// </summary>
internal sealed class CompiledQuery(
    IReadOnlyList<string> columnNames,
    IReadOnlyList<Affinity> columnAffinities,
    Correlation correlation,
    IReadOnlyList<CoreQuery> cores,
    IReadOnlyList<CompoundOperator> operators,
    IReadOnlyList<OrderKey> order,
    IReadOnlyList<MergeTerm> compoundOrder,
    Evaluator? limit,
    Evaluator? offset)
{
    /// <summary>The result columns' names.</summary>
    public IReadOnlyList<string> ColumnNames { get; } = columnNames;

    /// <summary>The affinity of the first result column (what IN compares with).</summary>
    public Affinity FirstColumnAffinity => columnAffinities[0];

    /// <summary>EXPLAIN's lines: each core's steps, how the cores combine, then the sort and the limit.</summary>
    public List<string> Explain()
    {
        var lines = new List<string>();
        cores[0].Explain(lines);
        for (int i = 1; i < cores.Count; i++)
        {
            lines.Add(operators[i - 1] switch
            {
                CompoundOperator.UnionAll => "UNION ALL",
                CompoundOperator.Union => "UNION",
                CompoundOperator.Intersect => "INTERSECT",
                _ => "EXCEPT",
            });
            cores[i].Explain(lines);
        }
        int sortKeys = cores.Count > 1 ? compoundOrder.Count : order.Count;
        if (sortKeys > 0)
            lines.Add($"SORT BY {sortKeys} key{(sortKeys == 1 ? "" : "s")}");
        if (limit is not null || offset is not null)
            lines.Add("LIMIT");
        return lines;
    }

    /// <summary>The result rows, given the enclosing query's frame (null at the top), all at once (for a subquery).</summary>
    public List<SqlValue[]> Run(Frame? outer, ExecutionContext context) =>
        correlation.IsCorrelated ? [.. Stream(outer, context)] : context.Uncorrelated(this, () => [.. Stream(outer, context)]);

    /// <summary>
    /// The result rows, one at a time as the operators produce them. What needs every row before the first comes out
    /// still reads them all first: ORDER BY without an index giving the order, grouping, and the merge of a compound.
    /// With <paramref name="reuseRows"/> a row may be overwritten by the next (see <see cref="CoreQuery.Values"/>), for
    /// a caller done with each row before it asks for the next.
    /// </summary>
    public IEnumerable<SqlValue[]> Stream(Frame? outer, ExecutionContext context, bool reuseRows = false)
    {
        if (cores.Count > 1)
            return Slice(new CompoundSelect(cores, operators, compoundOrder, ColumnNames.Count).Execute(outer, context), outer, context);
        if (!cores[0].Distinct && order.Count == 0)
            return Slice(cores[0].Values(outer, context, reuseRows), outer, context);
        IEnumerable<OutputRow> rows = cores[0].Execute(outer, context);
        if (cores[0].Distinct)
        {
            var seen = new HashSet<SqlValue[]>(RowComparer.Instance);
            rows = rows.Where(r => seen.Add(r.Values));
        }
        if (order.Count > 0)
            rows = rows.OrderBy(r => r, Comparer<OutputRow>.Create((x, y) => OrderKey.Compare(order, x.Keys, y.Keys)));
        return Slice(rows.Select(r => r.Values), outer, context);
    }

    /// <summary>The rows OFFSET and LIMIT keep; the rows after the limit are never produced.</summary>
    private IEnumerable<SqlValue[]> Slice(IEnumerable<SqlValue[]> rows, Frame? outer, ExecutionContext context)
    {
        if (limit is null && offset is null)
            return rows;
        var frame = new Frame(context, [], outer);
        long skip = offset is null ? 0 : Math.Max(0, offset(frame).ToInteger());
        long take = limit is null ? long.MaxValue : limit(frame).ToInteger();
        return Limited(rows, skip, take < 0 ? long.MaxValue : take);
    }

    private static IEnumerable<SqlValue[]> Limited(IEnumerable<SqlValue[]> rows, long skip, long take)
    {
        if (take == 0)
            yield break;
        foreach (SqlValue[] row in rows)
        {
            if (skip > 0)
            {
                skip--;
                continue;
            }
            yield return row;
            if (--take == 0)
                yield break;
        }
    }
}
