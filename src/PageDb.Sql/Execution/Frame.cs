using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// What a bound expression is evaluated against: the current row of its query (all FROM items side by side), the
/// aggregate values of the current group in an aggregate query, and the frame of the enclosing query for correlated
/// subqueries.
/// </summary>
internal sealed class Frame(ExecutionContext context, SqlValue[] row, Frame? outer, SqlValue[]? aggregates = null)
{
    /// <summary>The statement's execution state.</summary>
    public ExecutionContext Context { get; } = context;

    /// <summary>The current row.</summary>
    public SqlValue[] Row { get; } = row;

    /// <summary>The enclosing query's frame, or null at the top.</summary>
    public Frame? Outer { get; } = outer;

    /// <summary>The aggregate results of the current group (null outside aggregate queries).</summary>
    public SqlValue[]? Aggregates { get; } = aggregates;

    /// <summary>The frame <paramref name="depth"/> levels out.</summary>
    public Frame Up(int depth)
    {
        Frame frame = this;
        for (int i = 0; i < depth; i++)
            frame = frame.Outer!;
        return frame;
    }
}
