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
        if (order.Count > 0)
            lines.Add($"SORT BY {order.Count} key{(order.Count == 1 ? "" : "s")}");
        if (limit is not null || offset is not null)
            lines.Add("LIMIT");
        return lines;
    }

    /// <summary>The result rows, given the enclosing query's frame (null at the top).</summary>
    public List<SqlValue[]> Run(Frame? outer, ExecutionContext context) =>
        correlation.IsCorrelated ? Execute(outer, context) : context.Uncorrelated(this, () => Execute(outer, context));

    private List<SqlValue[]> Execute(Frame? outer, ExecutionContext context)
    {
        List<OutputRow> rows = CoreRows(cores[0], outer, context);
        for (int i = 1; i < cores.Count; i++)
            rows = Combine(rows, CoreRows(cores[i], outer, context), operators[i - 1]);
        if (order.Count > 0)
        {
            OutputRow[] sorted = [.. rows];
            var comparer = Comparer<OutputRow>.Create((x, y) => OrderKey.Compare(order, x.Keys, y.Keys));
            rows = [.. sorted.OrderBy(r => r, comparer)];
        }
        else if (cores.Count > 1 && operators.Any(o => o != CompoundOperator.UnionAll))
        {
            rows = [.. rows.OrderBy(r => r.Values, RowComparer.Instance)];
        }
        return Slice(rows, outer, context);
    }

    private static List<OutputRow> CoreRows(CoreQuery core, Frame? outer, ExecutionContext context)
    {
        List<OutputRow> rows = core.Execute(outer, context);
        return core.Distinct ? Distinct(rows) : rows;
    }

    private List<SqlValue[]> Slice(List<OutputRow> rows, Frame? outer, ExecutionContext context)
    {
        var frame = new Frame(context, [], outer);
        long skip = offset is null ? 0 : Math.Max(0, offset(frame).ToInteger());
        long take = limit is null ? long.MaxValue : limit(frame).ToInteger();
        if (take < 0)
            take = long.MaxValue;
        var result = new List<SqlValue[]>();
        for (long i = skip; i < rows.Count && result.Count < take; i++)
            result.Add(rows[(int)i].Values);
        return result;
    }

    private static List<OutputRow> Distinct(List<OutputRow> rows)
    {
        var seen = new HashSet<SqlValue[]>(RowComparer.Instance);
        return rows.FindAll(r => seen.Add(r.Values));
    }

    /// <summary>
    /// UNION's duplicates removed keeping the last of equal rows, as SQLite's index of the union does (1 and 1.0 are
    /// equal; the one that comes out is the later one).
    /// </summary>
    private static List<OutputRow> LastOfEach(List<OutputRow> rows)
    {
        var last = new Dictionary<SqlValue[], OutputRow>(RowComparer.Instance);
        foreach (OutputRow row in rows)
            last[row.Values] = row;
        return [.. last.Values];
    }

    private List<OutputRow> Combine(List<OutputRow> left, List<OutputRow> right, CompoundOperator op)
    {
        var rightSet = new HashSet<SqlValue[]>(right.Select(r => r.Values), RowComparer.Instance);
        List<OutputRow> combined = op switch
        {
            CompoundOperator.UnionAll => [.. left, .. right],
            CompoundOperator.Union => LastOfEach([.. left, .. right]),
            CompoundOperator.Intersect => Distinct(left.FindAll(r => rightSet.Contains(r.Values))),
            _ => Distinct(left.FindAll(r => !rightSet.Contains(r.Values))),
        };
        return [.. combined.Select(r => new OutputRow(r.Values, KeysOf(r.Values)))];
    }

    private SqlValue[] KeysOf(SqlValue[] values) => [.. cores[0].OrderKeys.Select(k => values[k.Output])];
}
