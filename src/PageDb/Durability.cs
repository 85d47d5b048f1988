namespace PageDb;

/// <summary>When a commit reaches the disk (see docs/ARCHITECTURE.md, "Durability").</summary>
public enum Durability
{
    /// <summary>The WAL is synced before <see cref="WriteTransaction.Commit"/> returns: a committed transaction survives any crash.</summary>
    Full,

    /// <summary>The WAL is synced at checkpoints only: a crash may lose the last commits, never consistency.</summary>
    Normal,

    /// <summary>Nothing is ever synced: for bulk loads and tests. A crash of the machine (not the process) may corrupt nothing, but lose anything.</summary>
    None,
}
