using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// Where a restored database or a read replica stands in a generation (the last object applied whole and its checksum,
/// and the last commit applied, which a segment applied in part puts beyond it), and the step that applies the
/// segments after it, in sequence order, while the chain holds (invariant 4 of <see cref="SegmentFormat"/>). The steps
/// of a segment that are applied (<see cref="SegmentReplay"/>: up to the target, or to the commit before a damaged
/// page) go in as one commit (<see cref="ReplicatedCommit"/>), so the database is at every moment the state after some
/// step: a prefix of the commits that were shipped. Used from one thread at a time.
/// </summary>
internal sealed class SegmentChain(ReplicaGeneration generation)
{
    /// <summary>The generation being followed.</summary>
    public ReplicaGeneration Generation { get; } = generation;

    /// <summary>The last segment applied whole (0: the snapshot).</summary>
    public long Sequence { get; private set; }

    /// <summary>The checksum of the last object applied whole, which the next segment must name as its previous.</summary>
    public ulong Checksum { get; private set; } = generation.SnapshotChecksum;

    /// <summary>
    /// Commits of the generation applied: more than <see cref="Sequence"/>'s while steps of segment
    /// <see cref="Sequence"/> + 1 are applied but not all of them (a damaged page stopped it, or a target); the next
    /// attempt at that segment then skips the steps through them (<see cref="SegmentReplay"/>).
    /// </summary>
    public long Commits { get; private set; }

    /// <summary>
    /// True while <see cref="Commits"/> is past <see cref="Sequence"/>'s (steps of segment <see cref="Sequence"/> + 1
    /// are applied, not all of them): only then does the next attempt at that segment skip steps
    /// (<see cref="SegmentReplay.Run"/>), and the position file says so (<see cref="ReplicaPosition"/> version 2).
    /// </summary>
    public bool InSegment { get; private set; }

    /// <summary>When the last object applied whole was cut.</summary>
    public DateTimeOffset ShippedAt { get; private set; } = generation.StartedAt;

    /// <summary>
    /// When the replicator had seen the last commit applied: a version 3 step's time, or <see cref="ShippedAt"/> when
    /// the last thing applied was a whole object of an older version (or the snapshot).
    /// </summary>
    public DateTimeOffset CommittedBy { get; private set; } = generation.StartedAt;

    /// <summary>Segments applied whole by this chain (not counting those applied before <see cref="At"/>).</summary>
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
            InSegment = position.InSegment,
            ShippedAt = position.ShippedAt,
            CommittedBy = position.ShippedAt,
            Hash = hash,
        };

    /// <summary>
    /// Where the chain stands, for the position file of the database it applies to (<see cref="Hash"/> must be set): the
    /// last object applied whole, and the commits applied, which a segment applied in part puts beyond it.
    /// </summary>
    public ReplicaPosition Position => new(Generation.Name, Sequence, Checksum, Commits, ShippedAt, Hash!.PageCount, Hash.Value, InSegment);

    /// <summary>
    /// Applies to <paramref name="database"/> every segment that <paramref name="listed"/> (a newer listing of the same
    /// generation) shows after <see cref="Sequence"/>, in order, up to the last commit <paramref name="target"/> allows.
    /// </summary>
    /// <returns>Null when it applied all it could see (or all the target wants), else why it stopped before.</returns>
    public async Task<string?> ApplyAsync(PageDatabase database, IReplicaStore store, ReplicaGeneration listed, RestoreTarget target, CancellationToken cancellationToken)
    {
        int pageSize = database.Engine.File.PageSize;
        while (target.WantsAfter(Commits, ShippedAt))
        {
            long next = Sequence + 1;
            List<SegmentName> candidates = [.. listed.SegmentsAt(next)];
            if (candidates.Count == 0)
                return listed.HasSegmentAfter(next) ? $"segment {next} of generation {Generation.Name} is missing, so the later ones cannot be applied" : null;
            (Segment? segment, string? key, string? problem) = await ChooseAsync(store, candidates, pageSize, cancellationToken).ConfigureAwait(false);
            if (segment is null)
                return problem;
            ReplayResult replay = SegmentReplay.Run(database, segment, key!, Commits, InSegment, target.Allows);
            if (replay.Last is not null)
            {
                if (replay.Pages.Count > 0)
                    ReplicatedCommit.Apply(database, replay.Pages, replay.DatabaseSize, key!);
                Hash?.Apply(replay.DatabaseSize, replay.Pages);
                (Commits, CommittedBy, InSegment) = (replay.Last.Commits, replay.Last.At, true);
            }
            if (!replay.Complete)
                return replay.Damage;
            SegmentsApplied++;
            Sequence = next;
            Checksum = segment.Checksum;
            Commits = segment.Info.Commits;
            InSegment = false;
            ShippedAt = segment.Info.CutAt;
            if (segment.Version != SegmentFormat.Version || segment.Steps.Count == 0)
                CommittedBy = ShippedAt;
        }
        return null;
    }

    /// <summary>
    /// The newest candidate that is whole and continues the chain (a retried put may have left an older attempt beside
    /// the acknowledged one); null with the problem when none is.
    /// </summary>
    private async Task<(Segment? Segment, string? Key, string? Problem)> ChooseAsync(
        IReplicaStore store, List<SegmentName> candidates, int pageSize, CancellationToken cancellationToken)
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
            return (segment, candidate.Key, null);
        }
        return (null, null, problem);
    }
}
