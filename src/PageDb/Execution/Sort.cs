using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Orders the input rows by its keys (a stable sort: rows with equal keys keep their input order). Values order as
/// keys do (<see cref="ColumnType"/>): nulls first, numbers by value, strings by code point. The rows are held in
/// memory; it does not yet spill to temporary storage when the input exceeds a budget.
/// </summary>
public sealed class Sort : PlanOperator
{
    private readonly PlanOperator _input;
    private readonly SortKey[] _keys;
    private readonly Expr[] _bound;
    private List<(Value[] Keys, Row Row)>? _rows;
    private int _position;

    /// <summary>Sorts <paramref name="input"/> by <paramref name="keys"/>, the first key first.</summary>
    /// <exception cref="ArgumentException">No keys, or a key names a column the input lacks.</exception>
    public Sort(PlanOperator input, IReadOnlyList<SortKey> keys)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
            throw new ArgumentException("A sort needs at least one key.", nameof(keys));
        _input = input;
        _keys = [.. keys];
        _bound = _keys.Select(k => k.Expression.Bind(input.Columns)).ToArray();
    }

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
        try
        {
            for (Row? row = _input.Next(); row is not null; row = _input.Next())
                rows.Add((Evaluate(row), row));
        }
        finally
        {
            _input.Close();
        }
        // List.Sort is not stable; the input position breaks ties so equal keys keep their order.
        var order = Enumerable.Range(0, rows.Count).ToArray();
        Array.Sort(order, (a, b) => Compare(rows[a].Keys, rows[b].Keys) is var c && c != 0 ? c : a.CompareTo(b));
        _rows = order.Select(i => rows[i]).ToList();
        _position = 0;
    }

    /// <inheritdoc/>
    protected override Row? OnNext() => _position < _rows!.Count ? _rows[_position++].Row : null;

    /// <inheritdoc/>
    protected override void OnClose() => _rows = null;

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
