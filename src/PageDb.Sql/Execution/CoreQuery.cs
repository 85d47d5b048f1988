using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>One output row of a SELECT core, with the values its ORDER BY sorts on.</summary>
internal readonly record struct OutputRow(SqlValue[] Values, SqlValue[] Keys);

/// <summary>
/// A compiled SELECT core. Execution joins the FROM items by nested loops, checking each WHERE condition as soon as
/// the items it names are joined; then groups and aggregates (groups come out in GROUP BY order, as SQLite's do),
/// filters by HAVING, and evaluates the result columns and ORDER BY keys of each row or group.
/// </summary>
internal sealed class CoreQuery
{
    // The result columns' places in the row (-1 where one is not a plain column of it), made on first use: a plan
    // shared by sessions may make it twice, the same each time.
    private int[]? _outputOrdinals;

    /// <summary>The FROM items, in FROM order (the order of their columns in a joined row).</summary>
    public List<JoinSource> Sources { get; } = [];

    /// <summary>The FROM items' indexes in the order they are joined, outermost first; null for FROM order.</summary>
    public int[]? JoinOrder { get; set; }

    /// <summary>Conditions that name no FROM item, checked once when there is none.</summary>
    public List<Evaluator> ConstantFilters { get; } = [];

    /// <summary>The result columns.</summary>
    public List<Bound> Outputs { get; } = [];

    /// <summary>The ORDER BY keys (bound expressions, or result column positions).</summary>
    public List<(Bound? Expression, int Output)> OrderKeys { get; } = [];

    /// <summary>True for an aggregate query (GROUP BY or an aggregate function).</summary>
    public bool IsAggregate { get; set; }

    /// <summary>The GROUP BY expressions.</summary>
    public List<Evaluator> GroupBy { get; } = [];

    /// <summary>The aggregate calls, by slot.</summary>
    public List<AggregateCall> Aggregates { get; } = [];

    /// <summary>The HAVING condition.</summary>
    public Evaluator? Having { get; set; }

    /// <summary>True for SELECT DISTINCT.</summary>
    public bool Distinct { get; set; }

    /// <summary>True when the rows come in the ORDER BY's order already (the primary key's or an index's), so nothing sorts them.</summary>
    public bool InKeyOrder { get; set; }

    /// <summary>Adds EXPLAIN's lines for the core: its FROM items in join order, then the steps after the join.</summary>
    public void Explain(List<string> lines)
    {
        if (Sources.Count == 0)
            lines.Add("ONE ROW" + (ConstantFilters.Count > 0 ? " (checking conditions)" : ""));
        for (int level = 0; level < Sources.Count; level++)
            lines.Add(Sources[JoinOrder?[level] ?? level].Explain(level == 0));
        if (IsAggregate)
            lines.Add(GroupBy.Count > 0 ? $"GROUP BY {GroupBy.Count} key{(GroupBy.Count == 1 ? "" : "s")}, {Aggregates.Count} aggregates" : $"AGGREGATE {Aggregates.Count}");
        if (Having is not null)
            lines.Add("HAVING");
        if (Distinct)
            lines.Add("DISTINCT");
        if (InKeyOrder)
            lines.Add(Sources[0].Access?.DescribeOrder() ?? "ORDER BY PRIMARY KEY (no sort)");
    }

    /// <summary>
    /// The rows of the core, produced as they are read: a plain query joins and emits one row at a time; an aggregate
    /// query reads every joined row into its groups before it emits the first.
    /// </summary>
    public IEnumerable<OutputRow> Execute(Frame? outer, ExecutionContext context)
    {
        if (IsAggregate)
        {
            IEnumerable<SqlValue[]> joined = Join(outer, context, out Frame frame);
            foreach (Frame group in Groups(joined, frame, outer, context))
            {
                if (Emit(group) is { } row)
                    yield return row;
            }
            yield break;
        }
        foreach (SqlValue[] _ in Join(outer, context, out Frame joined))
        {
            if (Emit(joined) is { } row)
                yield return row;
        }
    }

    /// <summary>
    /// The result values of the core's rows, for a caller that sorts nothing (no ORDER BY, or rows in its order
    /// already) and keeps every row (no DISTINCT). A plain query of one FROM item reads, filters and projects its rows in
    /// one loop, without the join's iterator; others take <see cref="Execute"/>'s rows. With
    /// <paramref name="reuseRows"/>, for a caller done with each row before it asks for the next, that loop projects
    /// every row into one array, overwritten by the next; without, each row is a new array. A plain query of one table
    /// whose result columns are its columns, with no condition left to check, then reads straight from a primary-key
    /// read of a snapshot when it has one (<see cref="TableAccess.TryProject"/>), evaluating its key bounds now; a point
    /// read by a one-column integer key in a snapshot reads its row now.
    /// </summary>
    public IEnumerable<SqlValue[]> Values(Frame? outer, ExecutionContext context, bool reuseRows)
    {
        // Only the top level reuses rows (SqlSession's readers), and a streamed scan serves only the top level, as in JoinSource.Read.
        if (reuseRows && outer is null && !IsAggregate && Sources.Count == 1 && Sources[0].Filters.Count == 0 && ConstantFilters.Count == 0)
        {
            JoinSource source = Sources[0];
            int[] outputs = _outputOrdinals ??= [.. Outputs.Select(o => o.RowOrdinal)];
            TableAccess? read = source.Access ?? source.Scan;
            if (Array.IndexOf(outputs, -1) < 0 && read?.TryProject(context.TopFrame, outputs) is { } rows)
                return rows;
        }
        return Loop(outer, context, reuseRows);
    }

    /// <summary><see cref="Values"/>' rows through the read's rows (or the join's) one at a time.</summary>
    private IEnumerable<SqlValue[]> Loop(Frame? outer, ExecutionContext context, bool reuseRows)
    {
        if (IsAggregate || Sources.Count != 1)
        {
            foreach (OutputRow row in Execute(outer, context))
                yield return row.Values;
            yield break;
        }
        JoinSource source = Sources[0];
        // A streamed read writes its rows straight into the frame's row (with a table's row id in the last place).
        var current = new SqlValue[source.Width + 1];
        var frame = new Frame(context, current, outer);
        if (!AllTrue(ConstantFilters, frame))
            yield break;
        SqlValue[]? reused = reuseRows ? new SqlValue[Outputs.Count] : null;
        foreach (SqlValue[] row in source.Read(frame, into: current))
        {
            if (row != current)
                Array.Copy(row, current, source.Width);
            if (!AllTrue(source.Filters, frame))
                continue;
            // HAVING without grouping makes the query an aggregate, so a plain query's row is always emitted.
            SqlValue[] values = reused ?? new SqlValue[Outputs.Count];
            Project(frame, values);
            yield return values;
        }
    }

    /// <summary>The result row of <paramref name="frame"/>, or null when HAVING rejects it.</summary>
    private OutputRow? Emit(Frame frame)
    {
        if (Having is not null && Having(frame).ToTruth() != true)
            return null;
        var values = new SqlValue[Outputs.Count];
        Project(frame, values);
        // Rows that come in ORDER BY's order already are not sorted: they need no keys.
        SqlValue[] keys = InKeyOrder || OrderKeys.Count == 0 ? [] : new SqlValue[OrderKeys.Count];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = OrderKeys[i].Expression is Bound key ? key.Evaluate(frame) : values[OrderKeys[i].Output];
        return new OutputRow(values, keys);
    }

    /// <summary>
    /// The joined rows, one at a time. Every row is the same array, overwritten by the next: a caller that keeps one
    /// copies it. The outermost item's rows are read as the join goes; every other item not read per joined row is
    /// read once, before, since its rows are joined again for each row outside it. <paramref name="frame"/> is the
    /// frame of that array.
    /// </summary>
    private IEnumerable<SqlValue[]> Join(Frame? outer, ExecutionContext context, out Frame frame)
    {
        int width = 0;
        foreach (JoinSource source in Sources)
            width += source.Width;
        var current = new SqlValue[width];
        frame = new Frame(context, current, outer);
        foreach (Evaluator filter in ConstantFilters)
        {
            if (filter(frame).ToTruth() != true)
                return [];
        }
        var rows = new List<SqlValue[]>?[Sources.Count];
        var offsets = new int[Sources.Count];
        var hashes = new HashJoin?[Sources.Count];
        int outermost = JoinOrder?[0] ?? 0;
        for (int i = 0; i < rows.Length; i++)
        {
            offsets[i] = i == 0 ? 0 : offsets[i - 1] + Sources[i - 1].Width;
            if (i == outermost)
                continue;
            if (Sources[i].Access is not { PerJoinedRow: true })
            {
                IEnumerable<SqlValue[]> read = Sources[i].Read(frame, into: null);
                rows[i] = read as List<SqlValue[]> ?? read.ToList();
            }
            if (Sources[i].HashKeys.Length > 0)
                hashes[i] = new HashJoin(Sources[i], Sources[i].HashKeys, offsets[i], width);
        }
        return JoinLevels(rows, hashes, offsets, current, frame);
    }

    /// <summary>
    /// The rows of the item at <paramref name="item"/> to join to the row so far: the matches of its hash table, else
    /// those of its join lookup, else all of its rows. A streamed read writes its rows into the item's buffer in
    /// <paramref name="buffers"/>, used again by each read of the item: a level reads the item once at a time.
    /// </summary>
    private IEnumerable<SqlValue[]> Candidates(int item, List<SqlValue[]>?[] rows, HashJoin?[] hashes, SqlValue[]?[] buffers, Frame frame) =>
        hashes[item]?.Probe(frame, rows[item]) ?? rows[item] ?? Sources[item].Read(frame, buffers[item] ??= new SqlValue[Sources[item].Width + 1]);

    /// <summary>
    /// Joins the items in join order by nested loops kept on an explicit stack: one enumerator per level over that
    /// item's rows for the row so far (<see cref="Candidates"/>), so a joined row costs no iterator per level and a
    /// row is handed out by this one iterator, not through one per level. A LEFT-joined item whose rows all fail its
    /// ON condition joins once as NULLs.
    /// </summary>
    private IEnumerable<SqlValue[]> JoinLevels(List<SqlValue[]>?[] rows, HashJoin?[] hashes, int[] offsets, SqlValue[] current, Frame frame)
    {
        int count = Sources.Count;
        if (count == 0)
        {
            yield return current;
            yield break;
        }
        var levels = new IEnumerator<SqlValue[]>?[count];
        var buffers = new SqlValue[]?[count];
        var matched = new bool[count];
        int level = 0;
        try
        {
            levels[0] = Candidates(JoinOrder?[0] ?? 0, rows, hashes, buffers, frame).GetEnumerator();
            while (level >= 0)
            {
                int item = JoinOrder?[level] ?? level;
                JoinSource source = Sources[item];
                IEnumerator<SqlValue[]> read = levels[level]!;
                if (read.MoveNext())
                {
                    Array.Copy(read.Current, 0, current, offsets[item], source.Width);
                    if (!AllTrue(source.MatchConditions, frame))
                        continue;
                    matched[level] = true;
                }
                else
                {
                    read.Dispose();
                    levels[level] = null;
                    if (matched[level] || source.Kind != Syntax.JoinKind.Left)
                    {
                        level--;
                        continue;
                    }
                    // The row of NULLs, joined once: the level ends when the enumerator after it finds nothing.
                    matched[level] = true;
                    levels[level] = Enumerable.Empty<SqlValue[]>().GetEnumerator();
                    Array.Fill(current, SqlValue.Null, offsets[item], source.Width);
                }
                if (!AllTrue(source.Filters, frame))
                    continue;
                if (level + 1 == count)
                {
                    yield return current;
                    continue;
                }
                level++;
                matched[level] = false;
                levels[level] = Candidates(JoinOrder?[level] ?? level, rows, hashes, buffers, frame).GetEnumerator();
            }
        }
        finally
        {
            foreach (IEnumerator<SqlValue[]>? read in levels)
                read?.Dispose();
        }
    }

    /// <summary>Evaluates the result columns on <paramref name="frame"/> into <paramref name="values"/>.</summary>
    private void Project(Frame frame, SqlValue[] values)
    {
        for (int i = 0; i < values.Length; i++)
            values[i] = Outputs[i].Evaluate(frame);
    }

    private static bool AllTrue(List<Evaluator> conditions, Frame frame)
    {
        foreach (Evaluator condition in conditions)
        {
            if (condition(frame).ToTruth() != true)
                return false;
        }
        return true;
    }

    private List<Frame> Groups(IEnumerable<SqlValue[]> joined, Frame frame, Frame? outer, ExecutionContext context)
    {
        var groups = new GroupTable(GroupBy, Aggregates, frame.Row.Length);
        foreach (SqlValue[] _ in joined)
            groups.Add(frame);
        return groups.Frames(context, outer);
    }
}
