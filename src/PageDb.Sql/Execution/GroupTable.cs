using PageDb.Sql.Binding;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// The groups of an aggregate query, filled one joined row at a time: the row's GROUP BY values find its group (a
/// hash lookup with a reused key array, so a row of a known group allocates nothing), the row is copied into the
/// group's row (a group shows the values of its last row, as SQLite's bare columns do), and each aggregate folds in
/// its argument. <see cref="Frames"/> then gives one frame per group, in GROUP BY order.
/// </summary>
internal sealed class GroupTable(List<Evaluator> groupBy, List<AggregateCall> aggregates, int width)
{
    private readonly Dictionary<SqlValue[], Group> _groups = new(RowComparer.Instance);
    private SqlValue[] _key = new SqlValue[groupBy.Count];

    /// <summary>One group: its row (the last joined row added to it) and its aggregates' state.</summary>
    private sealed record Group(SqlValue[] Row, Accumulator[] Accumulators);

    /// <summary>Adds the joined row of <paramref name="frame"/> to its group, making the group if it is the first.</summary>
    public void Add(Frame frame)
    {
        for (int i = 0; i < _key.Length; i++)
            _key[i] = groupBy[i](frame);
        if (!_groups.TryGetValue(_key, out Group? group))
        {
            group = NewGroup();
            _groups.Add(_key, group);
            _key = new SqlValue[_key.Length];
        }
        Array.Copy(frame.Row, group.Row, width);
        for (int i = 0; i < aggregates.Count; i++)
            group.Accumulators[i].Add(aggregates[i].Arguments, frame);
    }

    /// <summary>
    /// A frame per group, in GROUP BY order, holding the group's row and its aggregates' results; with no GROUP BY and
    /// no row, the one group of an aggregate over nothing (a row of NULLs).
    /// </summary>
    public List<Frame> Frames(ExecutionContext context, Frame? outer)
    {
        if (groupBy.Count == 0 && _groups.Count == 0)
            _groups.Add([], NewGroup());
        var keys = new List<SqlValue[]>(_groups.Keys);
        keys.Sort(RowComparer.Instance);
        var frames = new List<Frame>(keys.Count);
        foreach (SqlValue[] key in keys)
        {
            Group group = _groups[key];
            var results = new SqlValue[group.Accumulators.Length];
            for (int i = 0; i < results.Length; i++)
                results[i] = group.Accumulators[i].Result();
            frames.Add(new Frame(context, group.Row, outer, results));
        }
        return frames;
    }

    private Group NewGroup()
    {
        var accumulators = new Accumulator[aggregates.Count];
        for (int i = 0; i < accumulators.Length; i++)
            accumulators[i] = aggregates[i].CreateAccumulator();
        return new Group(new SqlValue[width], accumulators);
    }
}
