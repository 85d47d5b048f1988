using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Inner equi-join: builds a hash table of the right input on its key expressions, then streams the left input and
/// produces each left row joined with every right row of equal keys (left values, then right values), right rows in
/// their input order. Keys containing a null match nothing.
/// </summary>
public sealed class HashJoin : PlanOperator
{
    private readonly PlanOperator _left;
    private readonly PlanOperator _right;
    private readonly Expr[] _leftKeys;
    private readonly Expr[] _rightKeys;
    private readonly string _text;
    private Dictionary<Row, List<Row>>? _table;
    private Row? _leftRow;
    private List<Row>? _matches;
    private int _match;

    /// <summary>Joins rows where each of <paramref name="leftKeys"/> equals the matching one of <paramref name="rightKeys"/>.</summary>
    /// <exception cref="ArgumentException">The key lists differ in length or are empty, or name a missing column.</exception>
    public HashJoin(PlanOperator left, PlanOperator right, IReadOnlyList<Expr> leftKeys, IReadOnlyList<Expr> rightKeys)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(leftKeys);
        ArgumentNullException.ThrowIfNull(rightKeys);
        if (leftKeys.Count == 0 || leftKeys.Count != rightKeys.Count)
            throw new ArgumentException("A hash join needs as many right keys as left keys, at least one.", nameof(rightKeys));
        _left = left;
        _right = right;
        _leftKeys = leftKeys.Select(k => k.Bind(left.Columns)).ToArray();
        _rightKeys = rightKeys.Select(k => k.Bind(right.Columns)).ToArray();
        _text = string.Join(" and ", leftKeys.Select((k, i) => $"{k} = {rightKeys[i]}"));
        Columns = JoinedRow.Columns(left, right);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_left, _right];

    /// <inheritdoc/>
    public override string ToString() => $"HashJoin on {_text}";

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _table = [];
        _right.Open();
        try
        {
            for (Row? row = _right.Next(); row is not null; row = _right.Next())
            {
                if (KeyOf(row, _rightKeys) is not { } key)
                    continue;
                if (!_table.TryGetValue(key, out List<Row>? rows))
                    _table.Add(key, rows = []);
                rows.Add(row);
            }
        }
        finally
        {
            _right.Close();
        }
        _left.Open();
        _matches = null;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        while (_matches is null || _match >= _matches.Count)
        {
            _leftRow = _left.Next();
            if (_leftRow is null)
                return null;
            _matches = KeyOf(_leftRow, _leftKeys) is { } key && _table!.TryGetValue(key, out List<Row>? rows) ? rows : null;
            _match = 0;
        }
        return JoinedRow.Concat(_leftRow!, _matches[_match++]);
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _left.Close();
        _table = null;
    }

    private static Row? KeyOf(Row row, Expr[] keys)
    {
        var values = new Value[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            values[i] = keys[i].Evaluate(row);
            if (values[i].IsNull)
                return null;
        }
        return new Row(values);
    }
}
