namespace PageDb.Replication;

/// <summary>What a restore (or a replica's catch-up) brought back from a replica store.</summary>
public sealed class RestoreResult
{
    /// <summary>The generation restored from.</summary>
    public required string Generation { get; init; }

    /// <summary>Segments applied whole after the snapshot (one applied in part, up to the target or a damaged commit, is not counted).</summary>
    public long Segments { get; init; }

    /// <summary>Commits of the generation the restored state holds (after its snapshot).</summary>
    public long Commits { get; init; }

    /// <summary>
    /// When the replicator had seen the last commit restored (format version 3 segments); for older segments, when the
    /// last one applied was cut; the snapshot's time when no segment was applied.
    /// </summary>
    public DateTimeOffset ShippedAt { get; init; }

    /// <summary>
    /// Why the restore stopped before the newest object the store lists (or before its target), or null when it did
    /// not: a segment missing (a gap), damaged, or not continuing the chain, or a page of a commit failing its checksum
    /// inside a whole segment (naming the commit and the page). The state restored is then the last good one before it:
    /// the commit before the damaged one, for a segment of format version 3.
    /// </summary>
    public string? StoppedEarly { get; init; }

    /// <summary>Newer generations skipped because their snapshot could not be read, with the reason; empty normally.</summary>
    public IReadOnlyList<string> SkippedGenerations { get; init; } = [];
}
