namespace PageDb.Execution;

/// <summary>The functions <see cref="Aggregate"/> computes over each group.</summary>
public enum AggregateFunction
{
    /// <summary>The number of rows (no argument) or of non-null values.</summary>
    Count,

    /// <summary>The sum of the non-null values (Int64 wraps; null when there are none).</summary>
    Sum,

    /// <summary>The smallest non-null value.</summary>
    Min,

    /// <summary>The largest non-null value.</summary>
    Max,

    /// <summary>The mean of the non-null values as a Double (a Decimal for Decimal input).</summary>
    Avg,
}
