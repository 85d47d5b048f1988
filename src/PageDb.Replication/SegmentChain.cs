using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// Where a restored database or a read replica stands in a generation (the last object applied and its checksum), and
/// the step that applies the segments after it, in sequence order, while the chain holds (invariant 3 of
/// <see cref="SegmentFormat"/>). Each segment is applied as one commit (<see cref="ReplicatedCommit"/>), so the
/// database is at every moment the state after some segment: a prefix of the commits that were shipped.
/// Used from one thread at a time.
/// </summary>
internal sealed class SegmentChain(ReplicaGeneration generation)
{
    /// <summary>The generation being followed.</summary>
    public ReplicaGeneration Generation { get; } = generation;

    /// <summary>The last segment applied (0: the snapshot).</summary>
    public long Sequence { get; private set; }

    /// <summary>The checksum of the last object applied, which the next segment must name as its previous.</summary>
    public ulong Checksum { get; private set; } = generation.SnapshotChecksum;

    /// <summary>Commits of the generation applied.</summary>
    public long Commits { get; private set; }

    /// <summary>When the last object applied was cut.</summary>
    public DateTimeOffset ShippedAt { get; private set; } = generation.StartedAt;

    /// <summary>Segments applied by this chain (not counting those applied before <see cref="At"/>).</summary>
    public long SegmentsApplied { get; private set; }

    /// <summary>
    /// The fingerprint of the database the chain applies to, kept up to date with each segment's pages when set (a read
    /// replica's, for its position file); null when nobody needs it (a restore).
    /// </summary>
    public DatabaseStateHash? Hash { get; set; }

    /// <summary>A chain that continues <paramref name="generation"/> after <paramref name="position"/> (checked by the caller).</summary>
    public static SegmentChain At(ReplicaGeneration generation, ReplicaPosition position, DatabaseStateHash hash) =>
        new(generation)
        {
            Sequence = position.Sequence,
            Checksum = position.Checksum,
            Commits = position.Commits,
            ShippedAt = position.ShippedAt,
            Hash = hash,
        };

    /// <summary>Where the chain stands, for the position file of the database it applies to (<see cref="Hash"/> must be set).</summary>
    public ReplicaPosition Position => new(Generation.Name, Sequence, Checksum, Commits, ShippedAt, Hash!.PageCount, Hash.Value);

    /// <summary>
    /// Applies to <paramref name="database"/> every segment that <paramref name="listed"/> (a newer listing of the same
    /// generation) shows after <see cref="Sequence"/> and <paramref name="target"/> allows, in order.
    /// </summary>
    /// <returns>Null when it applied all it could see, else why it stopped before a listed segment.</returns>
    public async Task<string?> ApplyAsync(PageDatabase database, IReplicaStore store, ReplicaGeneration listed, RestoreTarget target, CancellationToken cancellationToken)
    {
        int pageSize = database.Engine.File.PageSize;
        while (true)
        {
            long next = Sequence + 1;
            List<SegmentName> candidates = [.. listed.SegmentsAt(next).Where(target.Allows)];
            if (candidates.Count == 0)
                return listed.HasSegmentAfter(next, target) ? $"segment {next} of generation {Generation.Name} is missing, so the later ones cannot be applied" : null;
            (Segment? segment, string? key, string? problem) = await ChooseAsync(store, candidates, pageSize, target, cancellationToken).ConfigureAwait(false);
            if (segment is null)
                return problem;
            ReplicatedCommit.Apply(database, segment.Pages, segment.Info.DatabaseSize, key!);
            Hash?.Apply(segment.Info.DatabaseSize, segment.Pages);
            SegmentsApplied++;
            Sequence = next;
            Checksum = segment.Checksum;
            Commits = segment.Info.Commits;
            ShippedAt = segment.Info.CutAt;
        }
    }

    /// <summary>
    /// The newest candidate that is whole and continues the chain (a retried put may have left an older attempt beside
    /// the acknowledged one); null with the problem when none is, or null without one when the target stops here.
    /// </summary>
    private async Task<(Segment? Segment, string? Key, string? Problem)> ChooseAsync(
        IReplicaStore store, List<SegmentName> candidates, int pageSize, RestoreTarget target, CancellationToken cancellationToken)
    {
        string? problem = null;
        foreach (SegmentName candidate in candidates)
        {
            using var content = new MemoryStream();
            if (!await store.TryGetAsync(candidate.Key, content, cancellationToken).ConfigureAwait(false))
            {
                problem = $"segment '{candidate.Key}' was listed but could not be read";
                continue;
            }
            Segment segment;
            try
            {
                segment = SegmentFormat.Decode(content.ToArray(), candidate.Key, pageSize);
            }
            catch (CorruptDatabaseException e)
            {
                problem = e.Message;
                continue;
            }
            if (segment.Info.Sequence != candidate.Sequence || segment.Info.Previous != Checksum)
            {
                problem = $"segment '{candidate.Key}' does not continue the chain of generation {Generation.Name} after sequence {Sequence}";
                continue;
            }
            if (!target.Allows(segment.Info))
                continue;
            return (segment, candidate.Key, null);
        }
        return (null, null, problem);
    }
}
