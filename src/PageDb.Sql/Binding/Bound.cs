using PageDb.Sql.Execution;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>Evaluates a bound expression against a frame.</summary>
internal delegate SqlValue Evaluator(Frame frame);

/// <summary>
/// A bound expression: how to evaluate it, its affinity (set for columns and CASTs, which comparisons use) and, for a
/// plain column of the frame's own row, that column's place in the row (-1 for anything else), so a plain query can
/// copy the column instead of evaluating it (see <see cref="CoreQuery.Values"/>).
/// </summary>
internal sealed record Bound(Evaluator Evaluate, Affinity Affinity = Affinity.None, int RowOrdinal = -1);
