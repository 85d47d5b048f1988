using PageDb.Sql.Execution;

namespace PageDb.Sql.Binding;

/// <summary>An aggregate call of a query: the function, its bound arguments, and where its result goes in a group's frame.</summary>
internal sealed record AggregateCall(string Name, Bound[] Arguments, bool Distinct, bool Star, int Slot)
{
    /// <summary>A fresh accumulator for one group.</summary>
    public Accumulator CreateAccumulator() => Accumulator.Create(Name, Distinct, Star);
}
