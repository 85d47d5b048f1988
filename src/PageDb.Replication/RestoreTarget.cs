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
    /// The state after the last commit made at or before <paramref name="time"/>, as the replicator saw it: it notes
    /// new commits every 20 ms or so (less often while a store call is under way), so a commit made within that much
    /// before <paramref name="time"/> may be left out, never one made after it. From segments of format version 3; in
    /// older segments (no commit boundaries) a segment is used when it was cut by then, so the state restored is the
    /// database as it was at most one segment interval before <paramref name="time"/>.
    /// </summary>
    public static RestoreTarget AtTime(DateTimeOffset time) => new(time, null, null);

    /// <summary>
    /// The newest state of generation <paramref name="generation"/> (see <see cref="ReplicaGeneration.Name"/>) holding
    /// at most <paramref name="commits"/> commits since its snapshot (0 restores the snapshot): exactly that many from
    /// segments of format version 3, except inside the first segment of a generation a restarted writer continued
    /// (its commits before the restart are one step); older segments are used whole or not at all.
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

    /// <summary>True when a state after one of <paramref name="commits"/> commits, shipped in an object cut at <paramref name="cutAt"/>, may be wanted.</summary>
    internal bool WantsAfter(long commits, DateTimeOffset cutAt) => (Commits is null || commits < Commits) && (Time is null || cutAt <= Time);

    /// <summary>True when the state after <paramref name="step"/> is not past the target.</summary>
    internal bool Allows(SegmentStep step) => (Commits is null || step.Commits <= Commits) && (Time is null || step.At <= Time);
}
