using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Groups the input rows by the group-by expressions (nulls form one group) and produces one row per group: the group
/// values, then one value per aggregate. Groups come out in the order their first row arrived. Without group-by
/// expressions there is exactly one output row, even for an empty input.
/// </summary>
public sealed class Aggregate : PlanOperator
{
    private readonly PlanOperator _input;
    private readonly Expr[] _groupBy;
    private readonly AggregateSpec[] _aggregates;
    private readonly Expr?[] _arguments;
    private List<Row>? _output;
    private int _position;

    /// <summary>Aggregates <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">An expression names a column the input lacks, or a function other than Count has no argument.</exception>
    public Aggregate(PlanOperator input, IReadOnlyList<Expr> groupBy, IReadOnlyList<AggregateSpec> aggregates)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(groupBy);
        ArgumentNullException.ThrowIfNull(aggregates);
        _input = input;
        _groupBy = groupBy.Select(g => g.Bind(input.Columns)).ToArray();
        _aggregates = [.. aggregates];
        _arguments = _aggregates.Select(a => a.Argument is null && a.Function != AggregateFunction.Count
            ? throw new ArgumentException($"{a.Function} needs an argument.", nameof(aggregates))
            : a.Argument?.Bind(input.Columns)).ToArray();
        Columns = _groupBy.Select((g, i) => g is ColumnExpr c ? input.Columns[c.Ordinal] : new OutputColumn("group" + i))
            .Concat(_aggregates.Select(a => new OutputColumn(a.Name))).ToArray();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_input];

    /// <inheritdoc/>
    public override string ToString() =>
        $"Aggregate group by [{string.Join(", ", _groupBy.Select(g => g.ToString()))}] [{string.Join(", ", _aggregates.Select(a => a.ToString()))}]";

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        var groups = new Dictionary<Row, Accumulator[]>();
        var order = new List<Row>();
        _input.Open();
        try
        {
            for (Row? row = _input.Next(); row is not null; row = _input.Next())
                Accumulate(row, groups, order);
        }
        finally
        {
            _input.Close();
        }
        if (_groupBy.Length == 0 && order.Count == 0)
        {
            order.Add(new Row([]));
            groups.Add(order[0], NewAccumulators());
        }
        _output = order.ConvertAll(key => Output(key, groups[key]));
        _position = 0;
    }

    /// <inheritdoc/>
    protected override Row? OnNext() => _position < _output!.Count ? _output[_position++] : null;

    /// <inheritdoc/>
    protected override void OnClose() => _output = null;

    private void Accumulate(Row row, Dictionary<Row, Accumulator[]> groups, List<Row> order)
    {
        var keyValues = new Value[_groupBy.Length];
        for (int i = 0; i < keyValues.Length; i++)
            keyValues[i] = _groupBy[i].Evaluate(row);
        var key = new Row(keyValues);
        if (!groups.TryGetValue(key, out Accumulator[]? accumulators))
        {
            accumulators = NewAccumulators();
            groups.Add(key, accumulators);
            order.Add(key);
        }
        for (int i = 0; i < accumulators.Length; i++)
            accumulators[i].Add(_arguments[i]?.Evaluate(row) ?? Value.Null, _arguments[i] is null);
    }

    private Accumulator[] NewAccumulators() => _aggregates.Select(a => new Accumulator(a.Function)).ToArray();

    private static Row Output(Row key, Accumulator[] accumulators)
    {
        var values = new Value[key.Count + accumulators.Length];
        key.Values.CopyTo(values);
        for (int i = 0; i < accumulators.Length; i++)
            values[key.Count + i] = accumulators[i].Result();
        return new Row(values);
    }
}
