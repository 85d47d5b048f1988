namespace PageDb.Execution;

/// <summary>Skips the first <c>offset</c> input rows and passes on at most <c>count</c> of the rest.</summary>
public sealed class Limit : PlanOperator
{
    private readonly PlanOperator _input;
    private readonly long _count;
    private readonly long _offset;
    private long _produced;
    private bool _skipped;

    /// <summary>Limits <paramref name="input"/> to <paramref name="count"/> rows after skipping <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or offset.</exception>
    public Limit(PlanOperator input, long count, long offset = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _input = input;
        _count = count;
        _offset = offset;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns => _input.Columns;

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_input];

    /// <inheritdoc/>
    public override string ToString() => _offset == 0 ? $"Limit {_count}" : $"Limit {_count} offset {_offset}";

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _input.Open();
        _produced = 0;
        _skipped = false;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        if (_produced >= _count)
            return null;
        if (!_skipped)
        {
            _skipped = true;
            for (long i = 0; i < _offset; i++)
            {
                if (_input.Next() is null)
                    return null;
            }
        }
        Row? row = _input.Next();
        if (row is not null)
            _produced++;
        return row;
    }

    /// <inheritdoc/>
    protected override void OnClose() => _input.Close();
}
