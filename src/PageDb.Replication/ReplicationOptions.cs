namespace PageDb.Replication;

/// <summary>
/// Continuous replication of a database to an <see cref="IReplicaStore"/>, set as
/// <see cref="PageDbOptions.Replication"/>: a snapshot, then the committed changes in checksummed segments, shipped by
/// a background <see cref="Replicator"/>. The store being slow or failing never fails or blocks a commit.
/// <para>
/// An application may also start more sessions on an open database, each to a store of its own, by calling
/// <see cref="Start"/> (and disposing the session before the database): each copies its snapshots into files of its own
/// beside the database, and neither deletes the other's. <see cref="PageDatabase.GetStats"/> reports the session the
/// option started; the first session started (that one, when the option is set) is the only one that publishes the
/// status file for <c>pagedb stats</c>, and the one that gets the writer's hand-over of commit pages
/// (<see cref="EveryCommit"/>).
/// </para>
/// </summary>
public sealed class ReplicationOptions : IDatabaseReplication
{
    /// <summary>Where the replica is kept: one database per store (a folder, or a bucket and key prefix).</summary>
    public required IReplicaStore Store { get; init; }

    /// <summary>
    /// A segment is cut at least this often while there are new commits. Default 1 second. While the unshipped commits
    /// keep the WAL past its checkpoint threshold (<see cref="PageDbOptions.CheckpointThresholdBytes"/>), segments are cut
    /// up to 20 times as often, so the log can restart instead of growing: a heavy writer makes up to 20 store calls per
    /// interval (a longer interval means fewer calls and a longer log).
    /// </summary>
    public TimeSpan SegmentInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A segment is cut early once it would hold this many bytes of pages, counted as the segment holds them: with
    /// <see cref="EveryCommit"/> every commit's pages since the last cut (a page rewritten by many commits counts once
    /// per commit, as the bytes that changed or whole), otherwise the distinct pages changed since the last one (a page
    /// rewritten by many commits counts once). Checked at each of the replicator's polls (every 20 ms), so a segment
    /// may pass it by the commits of a poll; one commit larger than this still goes whole into one segment. Default 4 MiB.
    /// </summary>
    public long SegmentBytes { get; init; } = 4L << 20;

    /// <summary>
    /// Ship every commit as a step of its own (the pages it wrote, a rewritten one as the bytes that changed), so
    /// <see cref="RestoreTarget.AtCommit"/> restores exactly that commit and <see cref="RestoreTarget.AtTime"/> the last
    /// commit the replicator had seen by then. Default true. False: a segment is one step of the distinct pages its
    /// commits changed, as they stand after the last, so restore stops only at segment boundaries (about
    /// <see cref="SegmentInterval"/> apart); that ships fewer bytes when commits rewrite the same pages many times
    /// (a page once instead of a delta per commit), saves the writer the hand-over of each commit's pages to the
    /// replicator (a comparison of each logged page with its version before), and costs the replicator about a third
    /// of the CPU per one-row commit (docs/benchmarks.md, "Replication: a step per commit from the writer's pages").
    /// The hand-over goes to one replication session per database: a second session started on the same database
    /// (<see cref="IDatabaseReplication.Start"/>) ships the same steps by reading the commits' pages back from the log.
    /// </summary>
    public bool EveryCommit { get; init; } = true;

    /// <summary>
    /// The lag limit: when the store has been failing while this many WAL bytes were committed past what it holds, the
    /// replicator lets the log go on without it (a checkpoint may then forget the unshipped frames) and starts a new
    /// generation with a fresh snapshot once the store answers again. Default 256 MiB.
    /// </summary>
    public long MaxLagBytes { get; init; } = 256L << 20;

    /// <summary>
    /// A new generation (a fresh snapshot) is started once the one being shipped is this old, counted from its snapshot
    /// (a generation a restarted process continues keeps its age). So a restore replays at most this long a run of
    /// segments, and retention (<see cref="RetainGenerations"/>, <see cref="RetainFor"/>) has older generations to delete:
    /// without new generations a long-running database's replica would only grow. Default 24 hours; null starts new
    /// generations only when one cannot be continued or the lag limit was passed.
    /// </summary>
    /// <remarks>
    /// This bounds how far back point-in-time restore reaches: with the defaults (24 hours,
    /// <see cref="RetainGenerations"/> 2, no <see cref="RetainFor"/>) the store keeps the generation being shipped and
    /// the one before it, so a restore reaches back between 24 and 48 hours, not to the first commit ever shipped. To
    /// keep more, raise <see cref="RetainGenerations"/> (each adds about an interval), set <see cref="RetainFor"/> (a
    /// window of time), or set this to null (one generation kept forever, which a restore replays from its start).
    /// A replacement whose snapshot cannot be stored is retried with backoff (100 ms doubling to
    /// <see cref="MaxRetryDelay"/>) while segments go on shipping; a clean close ships a last segment of an expired
    /// generation rather than a snapshot, and the next open replaces it.
    /// </remarks>
    public TimeSpan? SnapshotInterval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Generations kept when a new one is stored; older ones are deleted (unless <see cref="RetainFor"/> keeps them).
    /// Default 2: with <see cref="SnapshotInterval"/>'s default of 24 hours, point-in-time restore reaches back 24 to
    /// 48 hours; raise this, or set <see cref="RetainFor"/>, to keep more.
    /// </summary>
    public int RetainGenerations { get; init; } = 2;

    /// <summary>Also keep every generation that ended within this window (point-in-time restore reaches back this far). Default none.</summary>
    public TimeSpan? RetainFor { get; init; }

    /// <summary>How long one call to the store may take before it counts as failed. Default 30 seconds.</summary>
    public TimeSpan StoreTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between retries after failures (the wait doubles from 100 ms). Default 10 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public IReplicationSession Start(PageDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        Validate();
        return new Replicator(database, this);
    }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Store);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SegmentInterval, TimeSpan.Zero, nameof(SegmentInterval));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SegmentBytes, nameof(SegmentBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxLagBytes, nameof(MaxLagBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RetainGenerations, nameof(RetainGenerations));
        if (SnapshotInterval is { } snapshotInterval)
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(snapshotInterval, TimeSpan.Zero, nameof(SnapshotInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StoreTimeout, TimeSpan.Zero, nameof(StoreTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxRetryDelay, TimeSpan.Zero, nameof(MaxRetryDelay));
    }
}
