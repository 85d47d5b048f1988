using PageDb.Sql.Binding;

namespace PageDb.Sql.Execution;

/// <summary>
/// An <c>INSERT ... VALUES</c> of a prepared statement, compiled on its first run and kept in its <see cref="PlanCache"/>:
/// the value expressions bound once (only when they read no table, so no schema change can alter what they mean), and
/// the table as the last transaction that ran the statement opened it, with the column each value goes to. A run in the
/// same transaction, with no schema change since, reuses that table object (its encoding buffers and loaded indexes);
/// any other run opens the table again. Safe to share between sessions: the opened table is replaced as one object and
/// used only by the transaction that opened it.
/// </summary>
internal sealed class CompiledInsert(Evaluator[][] rows)
{
    private Target? _target;

    /// <summary>Each row's value expressions, in the order of the statement's columns.</summary>
    public Evaluator[][] Rows { get; } = rows;

    /// <summary>The table as <paramref name="transaction"/> opened it for this statement, or null when it must be opened.</summary>
    public Target? TargetIn(ReadTransaction transaction)
    {
        Target? target = Volatile.Read(ref _target);
        return target is not null && ReferenceEquals(target.Table.Transaction, transaction) && target.SchemaVersion == transaction.SchemaVersion
            ? target
            : null;
    }

    /// <summary>Keeps <paramref name="target"/> for the next run in its transaction.</summary>
    public void Remember(Target target) => Volatile.Write(ref _target, target);

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
