namespace PageDb.Replication;

/// <summary>Which state of a replica a restore brings back: the latest, the state at a point in time, or after a number of commits.</summary>
public sealed class RestoreTarget
{
    private RestoreTarget(DateTimeOffset? time, string? generation, long? commits)
    {
        Time = time;
        Generation = generation;
        Commits = commits;
    }

    /// <summary>The newest state the store holds.</summary>
    public static RestoreTarget Latest { get; } = new(null, null, null);

    /// <summary>
    /// The newest state shipped at or before <paramref name="time"/>: a segment is used when it was cut by then, so the
    /// state restored is the database as it was at most one segment interval before <paramref name="time"/>.
    /// </summary>
    public static RestoreTarget AtTime(DateTimeOffset time) => new(time, null, null);

    /// <summary>
    /// The newest state of generation <paramref name="generation"/> (see <see cref="ReplicaGeneration.Name"/>) holding
    /// at most <paramref name="commits"/> commits since its snapshot (0 restores the snapshot).
    /// </summary>
    public static RestoreTarget AtCommit(string generation, long commits)
    {
        ArgumentException.ThrowIfNullOrEmpty(generation);
        ArgumentOutOfRangeException.ThrowIfNegative(commits);
        return new(null, generation, commits);
    }

    /// <summary>Segments cut after this time are not used; null for no limit.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary>The one generation to restore from; null for the newest suitable one.</summary>
    public string? Generation { get; }

    /// <summary>The most commits since the generation's snapshot; null for no limit.</summary>
    public long? Commits { get; }

    internal bool Allows(ReplicaGeneration generation) =>
        generation.HasSnapshot && (Generation is null || generation.Name == Generation) && (Time is null || generation.StartedAt <= Time);

    internal bool Allows(SegmentName segment) => Time is null || segment.CutAt <= Time;

    internal bool Allows(SegmentInfo segment) => Commits is null || segment.Commits <= Commits;
}
