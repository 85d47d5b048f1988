namespace PageDb.Sql.Execution;

/// <summary>
/// The tables the compiled INSERTs (<see cref="CompiledInsert"/>) of one session transaction opened, so that the next
/// run of the same statement in that transaction, with no schema change since, reuses its table object (its encoding
/// buffers and loaded indexes) instead of opening it again. The session makes one for its open transaction
/// (BEGIN ... COMMIT) and drops it when that transaction ends, so no table is kept past its transaction; a statement
/// outside BEGIN ... COMMIT runs in a transaction of its own and keeps none.
/// </summary>
internal sealed class InsertTargets
{
    // Enough for the statements a transaction's loop runs in turn; a transaction running ever new texts (each a new
    // CompiledInsert) starts again when it reaches this, so the tables it keeps stay few.
    private const int MaxTargets = 16;

    private readonly Dictionary<CompiledInsert, CompiledInsert.Target> _targets = new(ReferenceEqualityComparer.Instance);

    /// <summary>The table <paramref name="insert"/> last opened in this transaction, or null when it must be opened (again after a schema change).</summary>
    public CompiledInsert.Target? For(CompiledInsert insert, long schemaVersion) =>
        _targets.TryGetValue(insert, out CompiledInsert.Target? target) && target.SchemaVersion == schemaVersion ? target : null;

    /// <summary>Keeps <paramref name="target"/> for the next run of <paramref name="insert"/> in this transaction.</summary>
    public void Remember(CompiledInsert insert, CompiledInsert.Target target)
    {
        if (_targets.Count == MaxTargets && !_targets.ContainsKey(insert))
            _targets.Clear();
        _targets[insert] = target;
    }
}
