using System.Runtime.ExceptionServices;
using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// Ships one open database to a replica store: a generation is a snapshot (the bytes <see cref="PageDatabase.Backup"/>
/// writes) followed by segments (<see cref="SegmentFormat"/>), each holding the pages the commits since the previous
/// one changed. Names in <see cref="ReplicaNames"/>.
/// <para>
/// States, owned by the replicator's own thread (<see cref="Run"/>); nothing else changes them:
/// 0. Resuming (at start only): the state the open ended at is held from before the application could commit
///    (<see cref="GenerationResume"/>); the first step lists the store and, when the local history passes through the
///    newest generation's last shipped state, continues it (Shipping, the mark at the opened state, the pages of the
///    recovered commits after the shipped state owed to the next segment), or says why not and goes on as Unheld. A
///    store that fails is retried as any call; past <see cref="ReplicationOptions.MaxLagBytes"/> the hold is let go: Unheld.
/// 1. Unheld: no generation is being shipped (after a start that could not continue one, and after the lag limit let go). The loop takes a snapshot,
///    holds it open, copies it and puts the copy; once stored, old generations are pruned and the state is Shipping. A
///    failed put keeps the snapshot and its copy (<see cref="CopiedSnapshot"/>) and retries the put after a backoff
///    (the same key); only past <see cref="ReplicationOptions.MaxLagBytes"/> of WAL written since it, or once a segment
///    shipped since it, is the snapshot let go, and the next attempt copies a new one (a new generation name). A generation older than
///    <see cref="ReplicationOptions.SnapshotInterval"/> is replaced the same way from Shipping: the new snapshot
///    becomes the mark once stored (the old mark is let go then; until then the old one stays, so a failed put
///    loses nothing), and retention can delete the old generation.
/// 2. Shipping: the held snapshot (<see cref="_archived"/>) is the "archived through" mark: everything up to it is in
///    the store, and being a registered reader it keeps every later frame in the WAL (<see cref="ReplicationSource"/>).
///    Each cut (every <see cref="ReplicationOptions.SegmentInterval"/>, or sooner once the segment would hold
///    <see cref="ReplicationOptions.SegmentBytes"/>, <see cref="SegmentSizeTracker"/>, or once the mark keeps the log
///    past its checkpoint threshold, <see cref="IsDue"/>) holds the latest snapshot, puts the pages changed since the mark
///    as the next segment and, once the put is acknowledged, moves the mark there (the old snapshot is let go). A failed
///    put lets the new snapshot go and retries after a backoff (doubling from 100 ms); the next cut covers more commits.
///    Past <see cref="ReplicationOptions.MaxLagBytes"/> of unshipped WAL while failing, the mark is let go: Unheld.
/// 3. Stopped: <see cref="Dispose"/> asks the loop for one more step (a cut, or the snapshot when no generation was
///    started yet and then its first segment, so a clean close ships every commit and records its state when the store
///    answers within <see cref="ReplicationOptions.StoreTimeout"/> per call), then it lets the mark go and ends.
/// Commits never wait for any of this: the loop reads snapshots as any reader does. It runs on a thread of its own,
/// not the thread pool, so an application that keeps every pool thread busy does not hold shipping back (it waits
/// for the store's calls synchronously there; a store whose own I/O completes on the pool still needs the pool, which
/// is why <see cref="S3ReplicaStore"/> sends requests from this thread on this thread).
/// A restart of the process continues the generation when the store's listing and the local log (with the histories
/// earlier opens kept, <see cref="RecoveredHistoryFile"/>, deleted at the first shipment) prove the database's history
/// passes through the last shipped state (state 0; docs/ARCHITECTURE.md, "Replication"), never by a local file of what
/// was shipped; the store's listing is what retention and restore go by. A <see cref="DatabaseStateHash"/> of
/// the shipped state is kept and written into each segment for that proof. The snapshot is spilled to a file of its own
/// beside the database until it is stored (<see cref="SnapshotSpillFile"/>); those a killed process left are deleted
/// when a replicator starts, never one a session still uses.
/// </para>
/// <para>
/// The loop also publishes <see cref="Stats"/> to the status file (<see cref="ReplicaStatusFile"/>) for other
/// processes (<c>pagedb stats</c>): when a figure changed, at most every <see cref="StatusMinInterval"/>, and at
/// least every <see cref="StatusMaxInterval"/> so a reader can tell a live writer from a killed one's leftover. Never
/// on the commit path; a failure to write it is ignored (it is advisory). A clean close deletes it; a start replaces it.
/// Only the first session on an open database does any of this (<see cref="ReplicaStatusFile.TryClaim"/>), and only
/// while its claim is not taken over by a later open's session (its database closed with it still running).
/// </para>
/// Threads: the loop alone changes the state; <see cref="Stats"/> may be read from any thread (under
/// <see cref="_lock"/>).
/// </summary>
internal sealed class Replicator : IReplicationSession
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PollDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan StatusMinInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StatusMaxInterval = TimeSpan.FromSeconds(1);

    private readonly ReplicationSource _source;
    private readonly ReplicationOptions _options;
    private readonly string _destination;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _crash; // written by the loop before it ends, read by Dispose after the join
    private readonly string? _statusPath; // null for a database not in plain files, or when another session publishes its status
    private ReplicaStatus? _published; // the loop's alone: what the status file last said
    private GenerationResume? _resume; // the loop's alone after the constructor: state 0 while not null
    private DatabaseStateHash _stateHash = new(); // the loop's alone: the state the store holds (or a cut ahead of it)
    private List<PageNumber>? _owedPages; // the loop's alone: pages the next segment must hold besides those changed since the mark (a catch-up step), null when none is owed
    private readonly SegmentSizeTracker _segmentSize; // the loop's alone
    private readonly CommitTimes _commitTimes = new(); // the loop's alone: when it saw the commits after the mark
    private readonly CommitFrameQueue? _commitFrames; // with EveryCommit, unless another session has the hand-over: the pages commits logged, handed over by the writer (the loop consumes it)
    private readonly SegmentBuffer _segmentBuffer; // the loop's alone: the segments of steps per commit are encoded here, reused (shrunk back after an unusually large one)
    private readonly DateTimeOffset _openedAt = DateTimeOffset.UtcNow; // every commit the open recovered was made before
    private bool _historiesKept; // the loop's alone: this session took the open's recovered history, and the open may have kept histories (RecoveredHistoryFile) not yet deleted
    private DateTimeOffset _generationStartedAt; // the loop's alone: when the snapshot of the generation being shipped was taken
    private DateTimeOffset _replaceNotBefore; // the loop's alone: a failed replacement of an expired generation is not retried before this (segments ship meanwhile)
    private TimeSpan _replaceRetryDelay = FirstRetryDelay; // the loop's alone: doubles with each failed replacement up to MaxRetryDelay, reset by a stored one
    private CopiedSnapshot? _copied; // the loop's alone: a new generation's snapshot whose put failed, kept for the next attempt
    private long _copiedAfterSegments; // the loop's alone: _segmentsShipped when _copied was copied
    private long _copiedHandedBytes; // the loop's alone: the hand-over's count read before _copied's snapshot was held (its first segment's size counts from it)

    private readonly Lock _lock = new(); // guards the fields below, which the loop writes and Stats reads
    private HeldSnapshot? _archived;
    private DateTimeOffset _archivedAt;
    private DateTimeOffset? _behindSince; // when the oldest commit the store lacks was first seen (to a poll), null when it has all
    private DateTimeOffset? _lastShippedAt;
    private string? _generation;
    private long _sequence;
    private ulong _chain;
    private long _commits;
    private long _segmentsShipped;
    private long _generationsStarted;
    private string? _lastError;
    private string? _resumeNote;
    private long _owedCommits; // commits before the mark that the store lacks (a resumed generation's, until its first cut)
    private readonly CommitTally _tally; // the commits behind the mark, counted once per frame rather than per Stats call
    private long _archivedTally; // _tally's count through the mark

    public Replicator(PageDatabase database, ReplicationOptions options)
    {
        _source = new ReplicationSource(database);
        _tally = new CommitTally(_source);
        _options = options;
        _destination = options.Store.ToString() ?? "";
        _behindSince = DateTimeOffset.UtcNow;
        if (_source.FilePath is { } databasePath)
        {
            SnapshotSpillFile.DeleteStale(databasePath); // a killed process's; never another session's copy in use
            // Held before the application can commit: Open has not returned.
            RecoveredHistory? recovered = _source.TakeRecoveredHistory(); // the first session's alone (handed over once)
            _resume = new GenerationResume(_source, recovered, _source.Hold());
            // Only the session that took the open's history deletes the kept histories once it ships: the store they lead
            // to is its store, and another session's shipment to another store proves nothing there.
            _historiesKept = recovered is not null;
        }
        if (options.EveryCommit)
        {
            // One session per database gets the writer's hand-over (the engine has one slot): a second session on the
            // same database (IDatabaseReplication.Start is public) cuts its steps by reading the frames back.
            var queue = new CommitFrameQueue(_source);
            if (_source.TryObserveCommitFrames(queue))
                _commitFrames = queue;
        }
        _segmentSize = new SegmentSizeTracker(_source, options.EveryCommit, _commitFrames);
        _segmentBuffer = new SegmentBuffer(64 << 10, keepAtMost: (int)Math.Min(2 * options.SegmentBytes, Array.MaxLength));
        if (_source.FilePath is { } databaseFile && ReplicaStatusFile.TryClaim(ReplicaStatusFile.PathFor(databaseFile), database, this))
        {
            _statusPath = ReplicaStatusFile.PathFor(databaseFile);
            ReplicaStatusFile.Delete(_statusPath); // a killed process's; the loop writes ours within a poll
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "PageDb replicator" };
        _thread.Start();
    }

    /// <inheritdoc/>
    public ReplicationStats Stats
    {
        get
        {
            lock (_lock)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                bool behind = _archived is null || _source.LastCommit != _archived.Mark || _owedCommits != 0;
                return new ReplicationStats
                {
                    Destination = _destination,
                    Generation = _generation,
                    LagCommits = _archived is null ? -1 : _owedCommits + _tally.Through(_source.LastCommit) - _archivedTally,
                    LagBytes = _archived is null ? _source.CommittedBytes : _source.CommittedBytes - _archived.CommittedBytes,
                    LagTime = behind && _behindSince is { } since && since < now ? now - since : TimeSpan.Zero,
                    LastShippedAt = _lastShippedAt,
                    SegmentsShipped = _segmentsShipped,
                    GenerationsStarted = _generationsStarted,
                    LastError = _lastError,
                    Resume = _resumeNote,
                };
            }
        }
    }

    /// <summary>Ships what is committed once more (each store call bounded by the store timeout), then stops and lets the mark go.</summary>
    /// <exception cref="Exception">What the loop failed with when it was not a store or I/O failure (a bug).</exception>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        if (_statusPath is not null)
            ReplicaStatusFile.Release(_statusPath, this); // deletes it, unless a later open's session took it over
        _crash?.Throw();
    }

    private void Run()
    {
        // On Linux, puts this thread under SCHED_BATCH (LinuxNative.SetCallingThreadBatchScheduling), as the
        // background checkpointer is: it wakes at every poll and when each store call completes, and with both cores busy
        // the scheduler would often run it at once on the writer's core, preempting a commit. Under SCHED_BATCH it waits
        // for the running thread's slice instead, with the same share of the CPU, so it keeps up as before. Best effort:
        // if the call fails nothing changes.
        LinuxNative.SetCallingThreadBatchScheduling();
        try
        {
            Loop();
        }
        catch (Exception e)
        {
            // Not a store failure (those are retried): kept for Dispose to throw, as the task that ran the loop did.
            _crash = ExceptionDispatchInfo.Capture(e);
            lock (_lock)
                _lastError = $"the replicator stopped: {e.Message}";
        }
        finally
        {
            if (_commitFrames is not null)
                _source.StopObservingCommitFrames(_commitFrames); // ours only: never another session's
            _resume?.Dispose();
            _copied?.Dispose();
            lock (_lock)
            {
                _archived?.Dispose();
                _archived = null;
            }
        }
    }

    private void Loop()
    {
        TimeSpan retryDelay = FirstRetryDelay;
        DateTimeOffset nextAttempt = DateTimeOffset.MinValue;
        while (!_stop.Token.WaitHandle.WaitOne(PollDelay))
        {
            _commitTimes.Note(_source.LastCommit, DateTimeOffset.UtcNow, shipping: _archived is not null || _resume is not null || _copied is not null);
            NoteNewCommits();
            PublishStatus();
            if (DateTimeOffset.UtcNow < nextAttempt || !IsDue())
                continue;
            if (TryStep())
            {
                retryDelay = FirstRetryDelay;
                nextAttempt = DateTimeOffset.MinValue;
            }
            else
            {
                nextAttempt = DateTimeOffset.UtcNow + retryDelay;
                retryDelay = Doubled(retryDelay);
            }
        }
        // A clean close ships every commit: a generation not started yet gets its snapshot (which holds them all), a
        // started one its last segment, even an expired one (the next open replaces it: a continued generation keeps
        // its age), as a close should not wait for a whole database to be copied and uploaded. A database closed
        // within its first poll used to leave the store empty. A generation with no segment gets one even without
        // commits, so its state hash is recorded for the next open: also one whose snapshot this close just stored
        // (closed before the loop's first step), which the next open could not continue otherwise.
        if (OwesClosingStep() && TryStep(closing: true) && OwesClosingStep())
            TryStep(closing: true);
    }

    /// <summary>The retry delay after another failure: twice <paramref name="delay"/>, at most <see cref="ReplicationOptions.MaxRetryDelay"/>.</summary>
    private TimeSpan Doubled(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));

    /// <summary>True at a close while the store lacks a commit, or the generation lacks its first segment.</summary>
    private bool OwesClosingStep() => _archived is null || _source.LastCommit != _archived.Mark || _sequence == 0 || _owedPages is not null;

    /// <summary>Starts the lag clock when the store, which had every commit, now lacks one (seen within a poll of the commit).</summary>
    private void NoteNewCommits()
    {
        lock (_lock)
        {
            if (_behindSince is null && _archived is not null && _source.LastCommit != _archived.Mark)
                _behindSince = DateTimeOffset.UtcNow;
        }
    }

    /// <summary>Writes <see cref="Stats"/> to the status file when a figure changed or it is due (see the remarks above).</summary>
    private void PublishStatus()
    {
        if (_statusPath is null)
            return;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        TimeSpan age = _published is null ? TimeSpan.MaxValue : now - _published.WrittenAt;
        if (age < StatusMinInterval)
            return;
        ReplicationStats stats = Stats;
        var status = new ReplicaStatus(now, stats.Generation, stats.LagCommits, stats.LagBytes,
            stats.LagTime > TimeSpan.Zero ? now - stats.LagTime : null, stats.LastShippedAt, stats.LastError, stats.Resume);
        if (age < StatusMaxInterval && Figures(status) == Figures(_published!))
            return;
        if (!ReplicaStatusFile.IsClaimedBy(_statusPath, this))
            return; // a later open's session took the file over: this one's database has closed
        try
        {
            ReplicaStatusFile.Write(_statusPath, status);
            _published = status;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Advisory: the next poll tries again; replication goes on either way.
        }
    }

    /// <summary>What a reader would see change (the times of writing and of the oldest unshipped commit move with every poll).</summary>
    private static (string?, long, long, bool, DateTimeOffset?, string?, string?) Figures(ReplicaStatus status) =>
        (status.Generation, status.LagCommits, status.LagBytes, status.BehindSince is null, status.LastShippedAt, status.LastError, status.Resume);

    /// <summary>
    /// True when a snapshot must be stored, or a segment cut: the interval passed, the segment would hold
    /// <see cref="ReplicationOptions.SegmentBytes"/>, or the mark keeps the log from restarting
    /// (<see cref="ReplicationSource.HoldsLogBack"/>) and a twentieth of the interval passed since the last cut.
    /// </summary>
    /// <remarks>
    /// The last: under a steady stream of commits the log passes its checkpoint threshold (4 MiB by default) many times
    /// a second, and a mark held for the whole interval let it grow to some 60 MB, which cost every commit's write
    /// into it (docs/benchmarks.md, "Replication"). Cutting when the checkpointer wants to restart keeps the log near
    /// its threshold; the twentieth bounds the store calls this adds to 20 per interval.
    /// </remarks>
    private bool IsDue()
    {
        HeldSnapshot? archived = _archived;
        if (archived is null || GenerationExpired())
            return true;
        WalMark last = _source.LastCommit;
        if (last == archived.Mark && _owedPages is null)
            return false;
        TimeSpan sinceCut = DateTimeOffset.UtcNow - _archivedAt;
        return sinceCut >= _options.SegmentInterval
            || (sinceCut >= _options.SegmentInterval / 20 && _source.HoldsLogBack(archived))
            || _segmentSize.Update(archived, last) >= _options.SegmentBytes;
    }

    /// <summary>
    /// True while a generation is shipped that is older than <see cref="ReplicationOptions.SnapshotInterval"/>, unless
    /// its replacement failed within the retry delay (<see cref="_replaceNotBefore"/>).
    /// </summary>
    private bool GenerationExpired()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return _archived is not null && _options.SnapshotInterval is { } interval && now - _generationStartedAt >= interval && now >= _replaceNotBefore;
    }

    /// <summary>
    /// One step of the state machine; false when the store failed (the error is recorded) and the loop should back off.
    /// A failed replacement of an expired generation returns true: it is retried on its own backoff, and segments
    /// ship in between (a snapshot too big to upload in time, or refused, must not stop the segments that succeed).
    /// </summary>
    private bool TryStep(bool closing = false)
    {
        bool replacing = false;
        try
        {
            if (_resume is not null)
                Resume();
            if (_archived is null)
                StartGeneration();
            else if (!closing && GenerationExpired())
            {
                replacing = true;
                StartGeneration();
                (_replaceNotBefore, _replaceRetryDelay) = (DateTimeOffset.MinValue, FirstRetryDelay);
            }
            else
                ShipSegment(closing);
            return true;
        }
        catch (Exception e) when (e is PageDbException or OperationCanceledException or IOException or UnauthorizedAccessException)
        {
            if (replacing)
            {
                _replaceNotBefore = DateTimeOffset.UtcNow + _replaceRetryDelay;
                _replaceRetryDelay = Doubled(_replaceRetryDelay);
            }
            // A store failure or timeout, or a local one (the snapshot's spill file, a page failing its checksum):
            // recorded and retried; the database itself goes on either way.
            DropStaleCopy();
            lock (_lock)
            {
                _lastError = e is OperationCanceledException ? $"a call to {_options.Store} took longer than {_options.StoreTimeout}" : e.Message;
                if (_archived is not null && _source.CommittedBytes - _archived.CommittedBytes > _options.MaxLagBytes)
                {
                    _archived.Dispose();
                    _archived = null;
                    (_owedPages, _owedCommits) = (null, 0);
                }
                if (_resume is not null && _source.CommittedBytes > _options.MaxLagBytes)
                {
                    _resume.Dispose();
                    _resume = null;
                    _resumeNote = "started a new generation: the store failed until the lag limit was passed, so the last shipped state could not be read";
                }
            }
            return replacing;
        }
    }

    /// <summary>Records that the store now holds everything up to <paramref name="mark"/>, held at <paramref name="heldAt"/>.</summary>
    /// <remarks>
    /// Under <see cref="_lock"/>, with the move of the mark, so no reader of <see cref="Stats"/> sees the store caught
    /// up and still failing. Commits after the mark were acknowledged after <paramref name="heldAt"/>, so the lag clock
    /// restarts there.
    /// </remarks>
    private void NoteShipped(HeldSnapshot mark, DateTimeOffset heldAt)
    {
        if (_historiesKept) // the log now keeps the way from the store's state: the earlier opens' records are not needed
            _historiesKept = !_source.ForgetRecoveredHistories();
        _lastError = null;
        _lastShippedAt = DateTimeOffset.UtcNow;
        _behindSince = _source.LastCommit == mark.Mark ? null : heldAt;
    }

    /// <summary>
    /// Resuming -> Shipping, continuing the store's newest generation from the local commit equal to its last shipped
    /// state, or Resuming -> Unheld saying why not (<see cref="GenerationResume"/>).
    /// </summary>
    private void Resume()
    {
        IReadOnlyList<ReplicaObject> listing = CallStore(token => _options.Store.ListAsync("", token));
        ResumePoint? point = _resume!.Find(listing, key => CallStore(async token =>
        {
            using var content = new MemoryStream();
            return await _options.Store.TryGetAsync(key, content, token).ConfigureAwait(false) ? content.ToArray() : null;
        }), out string reason);
        _resume.Dispose(); // lets the opened state go unless the point owns it
        _resume = null;
        lock (_lock)
        {
            _resumeNote = point is null ? $"started a new generation: {reason}" : reason;
            if (point is null)
                return;
            (_archived, _archivedAt, _generation, _sequence, _chain, _commits) = (point.Opened, point.Last.CutAt, point.Generation, point.Last.Sequence, point.Checksum, point.Last.Commits);
            _generationStartedAt = point.GenerationStartedAt;
            (_owedPages, _owedCommits) = (point.OwedPages, point.OwedCommits);
            _tally.Restart(point.Opened.Mark);
            _segmentSize.MarkMoved(point.Opened, 0); // the hand-over is made after the open's hold: it counts every commit since it began (a Start on a database already open misses those between the hold and the hand-over's start)
            _archivedTally = 0;
            _lastError = null;
            _behindSince = _source.LastCommit == point.Opened.Mark && point.OwedCommits == 0 ? null : DateTimeOffset.UtcNow;
        }
        _stateHash = point.Hash;
        Prune(); // a retention window may have passed while the database was closed
    }

    /// <summary>
    /// Unheld -> Shipping, or Shipping -> Shipping in a new generation (<see cref="GenerationExpired"/>): stores a
    /// snapshot as the start of a new generation; once it is stored it is the mark, and the old mark is let go. The
    /// snapshot is copied once (<see cref="CopiedSnapshot"/>): a failed put keeps the copy for the next attempt, unless
    /// it may no longer serve (<see cref="DropStaleCopy"/>).
    /// </summary>
    private void StartGeneration()
    {
        DropStaleCopy();
        if (_copied is null)
        {
            _copiedHandedBytes = _commitFrames?.HandedBytes ?? 0; // before the hold, as a cut's (ShipSegment)
            _copied = CopiedSnapshot.Copy(_source);
            _copiedAfterSegments = _segmentsShipped;
        }
        CopiedSnapshot copied = _copied;
        CallStore(token => _options.Store.PutAsync(copied.Key, copied.Rewound(), token));
        _copied = null;
        HeldSnapshot? previous = _archived;
        HeldSnapshot snapshot = copied.TakeSnapshot();
        lock (_lock)
        {
            (_archived, _archivedAt, _generation, _sequence, _chain, _commits) = (snapshot, copied.TakenAt, copied.Generation, 0, copied.Checksum, 0);
            (_owedPages, _owedCommits) = (null, 0); // the snapshot holds every commit
            _generationStartedAt = copied.TakenAt;
            _stateHash = copied.State;
            _tally.Restart(snapshot.Mark);
            _commitTimes.Forget(snapshot.Mark);
            _segmentSize.MarkMoved(snapshot, _copiedHandedBytes);
            _archivedTally = 0;
            _generationsStarted++;
            NoteShipped(snapshot, copied.HeldAt);
        }
        // The copy only: the snapshot is the mark now (taken over above), so a failure here leaks no hold, and the
        // previous mark is let go and old generations pruned even then.
        try
        {
            copied.Dispose();
        }
        finally
        {
            previous?.Dispose();
            Prune();
        }
    }

    /// <summary>
    /// Lets go of a snapshot copied for a generation but not stored, so that the next attempt copies the database
    /// again, once it may no longer serve: the log written since it passed
    /// <see cref="ReplicationOptions.MaxLagBytes"/> (the limit the mark has: holding it keeps every later frame in the
    /// WAL), or a segment shipped since it was copied (the store holds a later state than it, and restore takes the
    /// newest generation: one started from it would take the replica back in time until its first segment).
    /// </summary>
    private void DropStaleCopy()
    {
        if (_copied is null)
            return;
        bool pastLagLimit = _source.CommittedBytes - _copied.Snapshot.CommittedBytes > _options.MaxLagBytes;
        bool overtaken = _segmentsShipped != _copiedAfterSegments;
        if (pastLagLimit || overtaken)
        {
            _copied.Dispose();
            _copied = null;
        }
    }

    /// <summary>
    /// Shipping -> Shipping: puts the commits since the mark as the next segment (<see cref="SegmentCut"/>) and moves
    /// the mark; when <paramref name="closing"/> a generation's first segment is cut even without a commit (no step:
    /// it records the state hash).
    /// </summary>
    private void ShipSegment(bool closing)
    {
        HeldSnapshot archived = _archived!;
        DateTimeOffset heldAt = DateTimeOffset.UtcNow;
        long handedBeforeHold = _commitFrames?.HandedBytes ?? 0; // before the hold: the next segment's size counts from here
        HeldSnapshot next = _source.Hold();
        try
        {
            if (next.Mark == archived.Mark && _owedPages is null && !(closing && _sequence == 0))
            {
                next.Dispose();
                return;
            }
            DateTimeOffset cutAt = DateTimeOffset.UtcNow;
            if (cutAt <= _archivedAt)
                cutAt = _archivedAt.AddMilliseconds(1);
            long nextTally;
            lock (_lock)
                nextTally = _tally.Through(next.Mark);
            // A commit's time: when the loop first saw it, kept within this segment's interval so times never go back.
            DateTimeOffset Clamp(DateTimeOffset seen) => seen < _archivedAt ? _archivedAt : seen > cutAt ? cutAt : seen;
            (ArraySegment<byte> bytes, ulong checksum, SegmentInfo info) = SegmentCut.Encode(_source, archived, next,
                new SegmentInfo(_sequence + 1, _chain, cutAt, _commits, 0),
                _owedPages is null ? null : (_owedPages, _owedCommits, Clamp(_openedAt)),
                commit => Clamp(_commitTimes.SeenBy(commit, cutAt)), _stateHash,
                _options.EveryCommit ? null : nextTally - _archivedTally, _commitFrames, _segmentBuffer);
            string key = ReplicaNames.SegmentKey(_generation!, info, checksum);
            try
            {
                CallStore(token => _options.Store.PutAsync(key, new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false), token));
            }
            finally
            {
                _segmentBuffer.Shrink(); // the put is done with the bytes
            }
            lock (_lock)
            {
                (_archived, _archivedAt, _sequence, _chain, _commits) = (next, cutAt, info.Sequence, checksum, info.Commits);
                (_owedPages, _owedCommits) = (null, 0);
                _archivedTally = nextTally;
                _commitTimes.Forget(next.Mark);
                _segmentSize.MarkMoved(next, handedBeforeHold);
                _segmentsShipped++;
                NoteShipped(next, heldAt);
            }
        }
        catch
        {
            next.Dispose(); // not the mark: the mark moves to it only once the put was acknowledged, as the last step above
            throw;
        }
        // After the try: next is the mark now, so a failure here must not dispose it.
        archived.Dispose();
        DropStaleCopy(); // a snapshot copied for a replacement that failed is overtaken now: its hold on the log goes at once
    }

    /// <summary>Deletes generations older than the newest kept ones (and outside the time window); failures are only recorded.</summary>
    private void Prune()
    {
        try
        {
            IReadOnlyList<ReplicaObject> listing = CallStore(token => _options.Store.ListAsync("", token));
            List<ReplicaGeneration> generations = ReplicaNames.Parse(listing);
            int restorable = 0;
            DateTimeOffset windowStart = _options.RetainFor is { } window ? DateTimeOffset.UtcNow - window : DateTimeOffset.MaxValue;
            for (int i = generations.Count - 1; i >= 0; i--)
            {
                ReplicaGeneration generation = generations[i];
                bool kept = generation.HasSnapshot && ++restorable <= _options.RetainGenerations;
                if (kept || generation.Name == _generation || generation.EndsAt >= windowStart)
                    continue;
                foreach (string key in generation.Keys)
                    CallStore(token => _options.Store.DeleteAsync(key, token));
            }
        }
        catch (Exception e) when (e is ReplicaStoreException or OperationCanceledException)
        {
            lock (_lock)
                _lastError = $"pruning old generations: {e.Message}";
        }
    }

    /// <summary>Waits, on the replicator's thread, for one call to the store, cancelled after the store timeout.</summary>
    private void CallStore(Func<CancellationToken, Task> call) =>
        CallStore(async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        });

    private T CallStore<T>(Func<CancellationToken, Task<T>> call)
    {
        using var timeout = new CancellationTokenSource(_options.StoreTimeout);
        return call(timeout.Token).GetAwaiter().GetResult();
    }
}
