using PageDb.Sql.Execution;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>Evaluates a bound expression against a frame.</summary>
internal delegate SqlValue Evaluator(Frame frame);

/// <summary>A bound expression: how to evaluate it, and its affinity (set for columns and CASTs, which comparisons use).</summary>
internal sealed record Bound(Evaluator Evaluate, Affinity Affinity = Affinity.None);
