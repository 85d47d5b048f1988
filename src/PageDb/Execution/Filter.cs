using PageDb.Expressions;

namespace PageDb.Execution;

/// <summary>Passes on the input rows for which the predicate is true (not false, not null).</summary>
public sealed class Filter : PlanOperator
{
    private readonly PlanOperator _input;
    private readonly Expr _predicate;
    private readonly Expr _bound;

    /// <summary>Filters <paramref name="input"/> by <paramref name="predicate"/>.</summary>
    /// <exception cref="ArgumentException">The predicate names a column the input lacks.</exception>
    public Filter(PlanOperator input, Expr predicate)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(predicate);
        _input = input;
        _predicate = predicate;
        _bound = predicate.Bind(input.Columns);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns => _input.Columns;

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_input];

    /// <inheritdoc/>
    public override string ToString() => $"Filter {_predicate}";

    /// <inheritdoc/>
    protected override void OnOpen() => _input.Open();

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        for (Row? row = _input.Next(); row is not null; row = _input.Next())
        {
            if (_bound.IsTrue(row))
                return row;
        }
        return null;
    }

    /// <inheritdoc/>
    protected override void OnClose() => _input.Close();
}
