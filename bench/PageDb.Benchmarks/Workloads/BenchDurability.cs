namespace PageDb.Benchmarks.Workloads;

/// <summary>How hard an engine must try to keep a commit after a crash; each adapter maps it to its own setting.</summary>
public enum BenchDurability
{
    /// <summary>A commit survives power loss once it returns (SQLite WAL + synchronous=FULL, PageDb Durability.Full,
    /// LiteDB's default).</summary>
    Full,

    /// <summary>A crash may lose the last commits but never consistency (SQLite WAL + synchronous=NORMAL, PageDb
    /// Durability.Normal, LiteDB's default as it has no lighter level).</summary>
    Normal,
}
