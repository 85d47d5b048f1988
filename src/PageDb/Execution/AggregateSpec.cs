using PageDb.Expressions;

namespace PageDb.Execution;

/// <summary>One output column of an <see cref="Aggregate"/>: a function over an argument, and its name.</summary>
/// <param name="Function">The aggregate function.</param>
/// <param name="Argument">The value aggregated; null only for a Count of rows.</param>
/// <param name="Name">The output column's name.</param>
public sealed record AggregateSpec(AggregateFunction Function, Expr? Argument, string Name)
{
    /// <summary>Count of rows.</summary>
    public static AggregateSpec Count(string name = "count") => new(AggregateFunction.Count, null, name);

    /// <summary>Count of non-null values of <paramref name="argument"/>.</summary>
    public static AggregateSpec Count(Expr argument, string name) => new(AggregateFunction.Count, argument, name);

    /// <summary>Sum of <paramref name="argument"/>.</summary>
    public static AggregateSpec Sum(Expr argument, string name = "sum") => new(AggregateFunction.Sum, argument, name);

    /// <summary>Smallest <paramref name="argument"/>.</summary>
    public static AggregateSpec Min(Expr argument, string name = "min") => new(AggregateFunction.Min, argument, name);

    /// <summary>Largest <paramref name="argument"/>.</summary>
    public static AggregateSpec Max(Expr argument, string name = "max") => new(AggregateFunction.Max, argument, name);

    /// <summary>Mean of <paramref name="argument"/>.</summary>
    public static AggregateSpec Avg(Expr argument, string name = "avg") => new(AggregateFunction.Avg, argument, name);

    /// <summary>The spec as "function(argument) as name".</summary>
    public override string ToString() => $"{Function.ToString().ToLowerInvariant()}({Argument?.ToString() ?? "*"}) as {Name}";
}
