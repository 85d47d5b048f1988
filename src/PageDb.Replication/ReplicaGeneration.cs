namespace PageDb.Replication;

/// <summary>
/// One generation of a replica as a store's listing shows it: a snapshot of the database and the segments of commits
/// that follow it. A database starts a generation when it is opened with replication and cannot continue the store's
/// newest one (<see cref="GenerationResume"/>), again when the store fell further behind than the lag limit, and when
/// the one being shipped is older than <see cref="ReplicationOptions.SnapshotInterval"/>.
/// </summary>
public sealed class ReplicaGeneration
{
    private readonly List<SegmentName> _segments = [];

    internal ReplicaGeneration(string name, DateTimeOffset startedAt)
    {
        Name = name;
        StartedAt = startedAt;
    }

    /// <summary>The generation's name (its start time and a random suffix), the folder of its objects.</summary>
    public string Name { get; }

    /// <summary>When its snapshot was taken.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>False when the snapshot object is missing (its put is under way, failed, or it was deleted): not restorable.</summary>
    public bool HasSnapshot => SnapshotKey is not null;

    /// <summary>Segment objects listed (a retried put may leave two of one sequence).</summary>
    public int SegmentCount => _segments.Count;

    /// <summary>The cut time of the newest segment, or <see cref="StartedAt"/> when there is none.</summary>
    public DateTimeOffset EndsAt => _segments.Count == 0 ? StartedAt : _segments.Max(s => s.CutAt);

    /// <summary>Bytes of all its objects.</summary>
    public long Bytes { get; internal set; }

    internal string? SnapshotKey { get; private set; }

    internal ulong SnapshotChecksum { get; private set; }

    /// <summary>The segments of <paramref name="sequence"/>, newest cut first.</summary>
    internal IEnumerable<SegmentName> SegmentsAt(long sequence) =>
        _segments.Where(s => s.Sequence == sequence).OrderByDescending(s => s.CutAt);

    /// <summary>True when a segment after <paramref name="sequence"/> is listed: <paramref name="sequence"/> is a gap when none of it is.</summary>
    internal bool HasSegmentAfter(long sequence) => _segments.Any(s => s.Sequence > sequence);

    /// <summary>Every object key of the generation.</summary>
    internal IEnumerable<string> Keys => SnapshotKey is null ? _segments.Select(s => s.Key) : _segments.Select(s => s.Key).Prepend(SnapshotKey);

    internal void AddSegment(SegmentName segment) => _segments.Add(segment);

    internal void SetSnapshot(string key, ulong checksum)
    {
        SnapshotKey = key;
        SnapshotChecksum = checksum;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {StartedAt:u} .. {EndsAt:u}, {SegmentCount} segments, {Bytes} bytes";
}
