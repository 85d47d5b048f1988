using PageDb.Sql.Binding;

namespace PageDb.Sql.Execution;

/// <summary>
/// An <c>INSERT ... VALUES</c> of a prepared statement, compiled on its first run and kept in its <see cref="PlanCache"/>:
/// the value expressions bound once (only when they read no table, so no schema change can alter what they mean). It
/// holds nothing of a transaction: the table a run opened is kept, for the next run in the same transaction, by that
/// transaction's <see cref="InsertTargets"/>. Safe to share between sessions.
/// </summary>
internal sealed class CompiledInsert(Evaluator[][] rows)
{
    /// <summary>Each row's value expressions, in the order of the statement's columns.</summary>
    public Evaluator[][] Rows { get; } = rows;

    /// <summary>
    /// The table an INSERT writes, as one transaction opened it at <paramref name="SchemaVersion"/>, and the ordinal of
    /// the column each of the statement's values goes to.
    /// </summary>
    public sealed record Target(Table Table, long SchemaVersion, int[] Ordinals)
    {
        /// <summary>True when the statement gives every column, in the table's order.</summary>
        public bool AllInOrder { get; } = Ordinals.Length == Table.Schema.Columns.Count && Ordinals.Select((o, i) => o == i).All(same => same);
    }
}
