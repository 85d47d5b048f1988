namespace PageDb.Replication;

/// <summary>What a restore (or a replica's catch-up) brought back from a replica store.</summary>
public sealed class RestoreResult
{
    /// <summary>The generation restored from.</summary>
    public required string Generation { get; init; }

    /// <summary>Segments applied after the snapshot.</summary>
    public long Segments { get; init; }

    /// <summary>Commits of the generation the restored state holds (after its snapshot).</summary>
    public long Commits { get; init; }

    /// <summary>When the last object applied was cut (the snapshot's time when no segment was applied).</summary>
    public DateTimeOffset ShippedAt { get; init; }

    /// <summary>
    /// Why the restore stopped before the newest object the store lists, or null when it did not: a segment missing
    /// (a gap), damaged, or not continuing the chain. The state restored is then the last good one before it.
    /// </summary>
    public string? StoppedEarly { get; init; }

    /// <summary>Newer generations skipped because their snapshot could not be read, with the reason; empty normally.</summary>
    public IReadOnlyList<string> SkippedGenerations { get; init; } = [];
}
