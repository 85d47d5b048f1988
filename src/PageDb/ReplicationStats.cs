namespace PageDb;

/// <summary>How far a replica lags behind its database, from <see cref="PageDatabase.ReplicationStats"/> (cheap) or <see cref="DatabaseStats.Replication"/>.</summary>
public sealed class ReplicationStats
{
    /// <summary>Where the replica is kept (the store and prefix, as the store describes itself).</summary>
    public required string Destination { get; init; }

    /// <summary>The generation being shipped (a snapshot and the segments that follow it), or null before the first snapshot is stored.</summary>
    public string? Generation { get; init; }

    /// <summary>Commits acknowledged by the database but not yet in the store; -1 while no generation is stored (all of them).</summary>
    public long LagCommits { get; init; }

    /// <summary>WAL bytes of those commits.</summary>
    public long LagBytes { get; init; }

    /// <summary>
    /// How long ago the oldest commit the store lacks was made (zero when it holds every commit), to within the
    /// replicator's 20 ms poll; while no generation is stored, since the replicator started or last had every commit.
    /// </summary>
    public TimeSpan LagTime { get; init; }

    /// <summary>When the store last acknowledged a snapshot or segment in this session, or null when none yet.</summary>
    public DateTimeOffset? LastShippedAt { get; init; }

    /// <summary>Segments stored in this session.</summary>
    public long SegmentsShipped { get; init; }

    /// <summary>Generations started in this session (one at open unless it continued the store's newest, see <see cref="Resume"/>; one more each time the lag limit was passed).</summary>
    public long GenerationsStarted { get; init; }

    /// <summary>The last failure of the store, or null when none has happened since the last success.</summary>
    public string? LastError { get; init; }

    /// <summary>
    /// How this session began: "continued generation … after segment …" when the store's last shipped state is one the
    /// database's history passes through (after a restart of the process), else "started a new generation: " and why
    /// not; null until the replicator has read the store's listing.
    /// </summary>
    public string? Resume { get; init; }
}
