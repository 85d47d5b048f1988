using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Orders the input rows by its keys (a stable sort: rows with equal keys keep their input order). Values order as
/// keys do (<see cref="ColumnType"/>): nulls first, numbers by value, strings by code point. Rows are sorted in memory
/// while they fit the memory budget; past it, each full buffer is sorted and written to a temporary run file
/// (<see cref="SortRun"/>), and the runs are merged as rows are pulled (an external merge sort).
/// </summary>
public sealed class Sort : PlanOperator
{
    /// <summary>The memory a sort may use for buffered rows before it spills, unless told otherwise: 64 MiB.</summary>
    public const long DefaultMemoryBudgetBytes = 64L << 20;

    private readonly PlanOperator _input;
    private readonly SortKey[] _keys;
    private readonly Expr[] _bound;
    private readonly long _memoryBudgetBytes;
    private List<Row>? _sorted;
    private int _position;
    private List<SortRun>? _runs;
    private PriorityQueue<SortRun, SortRun>? _merge;

    /// <summary>
    /// Sorts <paramref name="input"/> by <paramref name="keys"/>, the first key first, holding at most about
    /// <paramref name="memoryBudgetBytes"/> of rows in memory at once.
    /// </summary>
    /// <exception cref="ArgumentException">No keys, or a key names a column the input lacks.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The budget is not positive.</exception>
    public Sort(PlanOperator input, IReadOnlyList<SortKey> keys, long memoryBudgetBytes = DefaultMemoryBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudgetBytes);
        if (keys.Count == 0)
            throw new ArgumentException("A sort needs at least one key.", nameof(keys));
        _input = input;
        _keys = [.. keys];
        _bound = _keys.Select(k => k.Expression.Bind(input.Columns)).ToArray();
        _memoryBudgetBytes = memoryBudgetBytes;
    }

    /// <summary>How many run files the last open spilled to (0 when everything fitted in memory).</summary>
    public int SpilledRuns { get; private set; }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns => _input.Columns;

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_input];

    /// <inheritdoc/>
    public override string ToString() =>
        "Sort " + string.Join(", ", _keys.Select(k => k.Descending ? $"{k.Expression} desc" : k.Expression.ToString()));

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _input.Open();
        var rows = new List<(Value[] Keys, Row Row)>();
        _runs = [];
        try
        {
            long buffered = 0;
            long sequence = 0;
            for (Row? row = _input.Next(); row is not null; row = _input.Next())
            {
                rows.Add((Evaluate(row), row));
                buffered += SpilledRowCodec.EstimateMemory(row);
                if (buffered > _memoryBudgetBytes)
                {
                    _runs.Add(SortRun.Write(InOrder(rows, sequence)));
                    sequence += rows.Count;
                    rows.Clear();
                    buffered = 0;
                }
            }
            if (_runs.Count > 0 && rows.Count > 0)
            {
                _runs.Add(SortRun.Write(InOrder(rows, sequence)));
                rows.Clear();
            }
        }
        catch
        {
            CloseRuns();
            throw;
        }
        finally
        {
            _input.Close();
        }
        SpilledRuns = _runs.Count;
        if (_runs.Count == 0)
            _sorted = InOrder(rows, 0).ConvertAll(r => r.Row);
        else
            StartMerge();
        _position = 0;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        if (_merge is null)
            return _position < _sorted!.Count ? _sorted[_position++] : null;
        if (!_merge.TryDequeue(out SortRun? run, out _))
            return null;
        Row row = run.Current!;
        Advance(run);
        return row;
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _sorted = null;
        _merge = null;
        CloseRuns();
    }

    /// <summary>The buffered rows in sort order, each with its input position (offset by <paramref name="firstSequence"/>).</summary>
    private List<(Row Row, long Sequence)> InOrder(List<(Value[] Keys, Row Row)> rows, long firstSequence)
    {
        // Array.Sort is not stable; the input position breaks ties so equal keys keep their order.
        var order = Enumerable.Range(0, rows.Count).ToArray();
        Array.Sort(order, (a, b) => Compare(rows[a].Keys, rows[b].Keys) is var c && c != 0 ? c : a.CompareTo(b));
        return order.Select(i => (rows[i].Row, firstSequence + i)).ToList();
    }

    private void StartMerge()
    {
        _merge = new PriorityQueue<SortRun, SortRun>(Comparer<SortRun>.Create(CompareRunFronts));
        foreach (SortRun run in _runs!)
            Advance(run);
    }

    /// <summary>Moves <paramref name="run"/> to its next row and queues it again, unless it is exhausted.</summary>
    private void Advance(SortRun run)
    {
        if (!run.MoveNext())
            return;
        run.CurrentKeys = Evaluate(run.Current!);
        _merge!.Enqueue(run, run);
    }

    private int CompareRunFronts(SortRun a, SortRun b)
    {
        int c = Compare(a.CurrentKeys, b.CurrentKeys);
        return c != 0 ? c : a.CurrentSequence.CompareTo(b.CurrentSequence);
    }

    private void CloseRuns()
    {
        if (_runs is null)
            return;
        foreach (SortRun run in _runs)
            run.Dispose();
        _runs = null;
    }

    private Value[] Evaluate(Row row)
    {
        var keys = new Value[_bound.Length];
        for (int i = 0; i < keys.Length; i++)
            keys[i] = _bound[i].Evaluate(row);
        return keys;
    }

    private int Compare(Value[] a, Value[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            int c = Value.Compare(a[i], b[i]);
            if (c != 0)
                return _keys[i].Descending ? -c : c;
        }
        return 0;
    }
}
