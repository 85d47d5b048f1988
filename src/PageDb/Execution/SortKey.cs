using PageDb.Expressions;

namespace PageDb.Execution;

/// <summary>One key of a <see cref="Sort"/>: an expression over the input row, and its direction.</summary>
/// <param name="Expression">What to sort by.</param>
/// <param name="Descending">True for largest first. Nulls come first ascending and last descending.</param>
public sealed record SortKey(Expr Expression, bool Descending = false);
