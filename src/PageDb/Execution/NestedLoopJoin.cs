using PageDb.Expressions;

namespace PageDb.Execution;

/// <summary>
/// Inner join by nested loops: for each left row, the right input is run from the start and every pair for which the
/// predicate holds is produced (left values, then right values). Any predicate works; with none, the cross product.
/// </summary>
public sealed class NestedLoopJoin : PlanOperator
{
    private readonly PlanOperator _left;
    private readonly PlanOperator _right;
    private readonly Expr? _predicate;
    private readonly Expr? _bound;
    private Row? _leftRow;

    /// <summary>Joins <paramref name="left"/> with <paramref name="right"/> where <paramref name="predicate"/> holds.</summary>
    /// <exception cref="ArgumentException">The predicate names a column neither input has, or one both have unqualified.</exception>
    public NestedLoopJoin(PlanOperator left, PlanOperator right, Expr? predicate)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        _left = left;
        _right = right;
        Columns = JoinedRow.Columns(left, right);
        _predicate = predicate;
        _bound = predicate?.Bind(Columns);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<PlanOperator> Inputs => [_left, _right];

    /// <inheritdoc/>
    public override string ToString() => "NestedLoopJoin" + (_predicate is null ? "" : $" on {_predicate}");

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _left.Open();
        _leftRow = null;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        while (true)
        {
            if (_leftRow is null)
            {
                _leftRow = _left.Next();
                if (_leftRow is null)
                    return null;
                _right.Open();
            }
            for (Row? right = _right.Next(); right is not null; right = _right.Next())
            {
                Row joined = JoinedRow.Concat(_leftRow, right);
                if (_bound is null || _bound.IsTrue(joined))
                    return joined;
            }
            _right.Close();
            _leftRow = null;
        }
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _right.Close();
        _left.Close();
    }
}
