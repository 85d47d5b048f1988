using System.Diagnostics;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Group commit: one data sync of the log makes durable every commit appended before it, and only then are those
/// commits shown to readers. The writer appends a commit (<see cref="Appended"/>), releases the engine's write lock and
/// waits here (<see cref="WaitDurable"/>, <see cref="WaitDurableAsync"/>), so the next writer builds and appends its
/// transaction while this sync is in flight, and its own sync covers every commit that queued up meanwhile.
/// <para>
/// Leader and followers. A waiter whose commit is not yet durable becomes the leader when no sync runs: it takes the
/// last appended commit as the batch's target, syncs without the lock, then, under the lock, publishes the target to
/// readers and completes the task its followers wait on. A waiter that finds a sync running awaits that task (created
/// by the first follower: a thread blocks on it, an async caller does not) and looks again: its commit was in that
/// batch, or one of the waiters becomes the leader of the next. Every state change is made under <c>_lock</c>; the
/// sync itself and the waits are outside it.
/// </para>
/// <para>
/// Gathering. With one sync in flight and syncs back to back, a commit acknowledged by one sync is built again during
/// the next and covered only by the one after, so concurrent committers split into two halves that take turns, and a
/// sync covers at most half of them. So a blocking leader whose sync would start while committers that the previous
/// sync acknowledged have not appended again (<c>_returning</c>) first lets them append: it announces its sync at
/// once (later waiters follow it, so they stay asleep) but takes its target only once every one of them has appended,
/// or once as long as the previous sync took (at most 1 ms) has passed, whichever comes first; it yields its processor
/// meanwhile. A committer that does not come back thus delays the next sync by at most one sync's time. Commits
/// appended while it gathers are in its target. An async leader and a writer syncing for a file switch (<see cref="SyncAppended"/>,
/// which holds the writer slot) do not gather.
/// </para>
/// <para>
/// Marks, which only grow: published &lt;= durable = the last sync's target &lt;= appended. The writer's next transaction
/// reads the appended state (it is ordered after those commits); readers see the published one, so no reader ever sees a
/// commit that a failed sync could still take away. With syncs off or at Durability.Normal the writer publishes at
/// once (<see cref="Appended"/> with <c>durable: true</c>).
/// </para>
/// <para>
/// Failure. A failed sync, or any failure recorded in the engine's <see cref="FailureState"/> while commits wait, fails
/// every commit not yet durable: each waiter throws <see cref="PageDbIOException"/>, nothing past the durable mark is
/// published, and the first waiter to see the failure zeroes the first frame header past the durable mark
/// (<see cref="WalWriter.InvalidateFrom"/>), so recovery after a reopen ends the log there and none of those commits
/// is visible, although a failed fsync leaves their frames in the OS cache. A waiter that finds a sync in flight waits
/// for it even after a failure: that sync may still succeed and acknowledge commits, whose frames must stay valid.
/// </para>
/// <para>
/// Generations. Commits waiting for a sync are always in the current log file: the writer makes every appended commit
/// durable (<see cref="SyncAppended"/>) before it switches files or restarts the log, and then tells this type about the
/// new file (<see cref="GenerationStarted"/>).
/// </para>
/// </summary>
internal sealed class GroupSync
{
    /// <summary>
    /// The longest a leader gathers even after a slow sync: returning committers need processor time to append again,
    /// not a sync's, and the leader yields its processor in a loop meanwhile.
    /// </summary>
    private static readonly long MaxGatherTicks = Stopwatch.Frequency / 1000;

    // Protects every field below.
    private readonly Lock _lock = new();
    private readonly WalIndex _index;
    private readonly FailureState _failure;
    private readonly Action<WalMark>? _published;

    /// <summary>The writer of the current file: the file the batch syncs and the failure path invalidates.</summary>
    private WalWriter _writer;

    /// <summary>The last commit appended, and the end of its commit frame in the current file.</summary>
    private long _appended;
    private long _appendedEnd;

    /// <summary>The last commit made durable (and published), and the end of its commit frame in the current file.</summary>
    private long _durable;
    private long _durableEnd;

    /// <summary>True while a leader gathers (see the type) or its sync runs.</summary>
    private bool _syncing;

    /// <summary>
    /// Completes when the running sync ends, with success or not; created by the first follower of that sync, so a
    /// commit that nobody waits beside allocates nothing for it.
    /// </summary>
    private TaskCompletionSource? _followers;

    /// <summary>True once the tail past the durable mark was invalidated after a failure (done once).</summary>
    private bool _invalidated;

    /// <summary>Commits appended since the last sync took its target: the next sync's batch.</summary>
    private int _batch;

    /// <summary>Syncs that succeeded since open: see <see cref="Syncs"/>.</summary>
    private long _syncs;

    /// <summary>
    /// How many of the commits the last sync acknowledged have not been followed by another commit yet: the committers
    /// a gathering leader waits for (see the type). Read without the lock while gathering.
    /// </summary>
    private int _returning;

    /// <summary>How long the last sync took (Stopwatch ticks), at most <see cref="MaxGatherTicks"/>: the longest a leader gathers.</summary>
    private long _gatherTicks;

    /// <summary>
    /// When set, the time a leader gathers for in place of the last sync's (tests use it to take the timing out of
    /// which commits a gathered sync covers).
    /// </summary>
    internal TimeSpan? FixedGatherLimit { get; set; }

    /// <summary>
    /// How many syncs made commits durable since open (each acknowledging every commit appended before it, one or
    /// many): commits at Durability.Full divided by this is how many commits a sync acknowledged on average.
    /// </summary>
    public long Syncs
    {
        get
        {
            lock (_lock)
                return _syncs;
        }
    }

    /// <summary>
    /// Starts with every recovered commit durable. <paramref name="published"/> is told each mark as readers get it,
    /// under the lock (the engine publishes it to reader processes).
    /// </summary>
    public GroupSync(WalIndex index, WalWriter writer, FailureState failure, Action<WalMark>? published)
    {
        _index = index;
        _writer = writer;
        _failure = failure;
        _published = published;
        _appended = _durable = index.LastCommit.LastCommitFrame.Value;
        _appendedEnd = _durableEnd = writer.CommittedEnd;
    }

    /// <summary>
    /// The writer appended (and wrote) the commit <paramref name="mark"/>, whose commit frame ends at
    /// <paramref name="end"/>. With <paramref name="durable"/> (no sync is promised), it is published at once. Writer only.
    /// </summary>
    public void Appended(WalMark mark, long end, bool durable)
    {
        lock (_lock)
        {
            _appended = mark.LastCommitFrame.Value;
            _appendedEnd = end;
            if (durable)
            {
                MakeDurableLocked(_appended, end);
                return;
            }
            _batch++;
            if (_returning > 0)
                _returning--;
        }
    }

    /// <summary>The writer started a generation in <paramref name="writer"/>'s file; every commit so far is durable. Writer only.</summary>
    public void GenerationStarted(WalWriter writer)
    {
        lock (_lock)
        {
            System.Diagnostics.Debug.Assert(_durable == _appended, "commits waiting for a sync in the file left behind");
            _writer = writer;
            _appendedEnd = _durableEnd = writer.CommittedEnd;
        }
    }

    /// <summary>Makes every commit appended so far durable and published, leading a sync or following one. Writer only.</summary>
    /// <exception cref="PageDbIOException">The sync failed, or the engine had failed: those commits are lost.</exception>
    public void SyncAppended()
    {
        long appended;
        lock (_lock)
            appended = _appended;
        // Never gathers: the caller holds the writer slot, so no committer could append meanwhile.
        Wait(new WalMark(new FrameIndex(appended)), gather: false);
    }

    /// <summary>Returns once <paramref name="mark"/> is durable and published, blocking the thread while another leads the sync.</summary>
    /// <exception cref="PageDbIOException">The sync failed, or the engine had failed: the commit is lost.</exception>
    public void WaitDurable(WalMark mark) => Wait(mark, gather: true);

    private void Wait(WalMark mark, bool gather)
    {
        for (Task? running = Step(mark, gather); running is not null; running = Step(mark, gather))
            running.GetAwaiter().GetResult();
    }

    /// <summary>As <see cref="WaitDurable"/>, without blocking a thread while another leads the sync (a leader syncs on its own thread).</summary>
    /// <exception cref="PageDbIOException">The sync failed, or the engine had failed: the commit is lost.</exception>
    public async Task WaitDurableAsync(WalMark mark)
    {
        for (Task? running = Step(mark, gather: false); running is not null; running = Step(mark, gather: false))
            await running.ConfigureAwait(false);
    }

    /// <summary>
    /// One look: null when <paramref name="mark"/> is durable (after leading the sync that made it so, when none ran);
    /// else the running sync's task, to await before looking again. A leader with <paramref name="gather"/> first lets
    /// the committers the previous sync acknowledged append again (see the type).
    /// </summary>
    private Task? Step(WalMark mark, bool gather)
    {
        (long Mark, long End, int Batch) target = default;
        long gatherUntil = 0;
        WalWriter writer;
        lock (_lock)
        {
            if (_durable >= mark.LastCommitFrame.Value)
                return null;
            // A sync in flight first: it may still succeed and acknowledge commits, whose frames the failure path
            // below must then not invalidate.
            if (_syncing)
                return (_followers ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            if (_failure.IsFailed)
                ThrowLostLocked();
            _syncing = true;
            // The file cannot change before this sync ends: a switch first waits for every appended commit's sync.
            writer = _writer;
            if (gather && _returning > 0)
                gatherUntil = Stopwatch.GetTimestamp() + (FixedGatherLimit is { } limit ? (long)(limit.TotalSeconds * Stopwatch.Frequency) : _gatherTicks);
            else
                target = TakeTargetLocked();
        }
        bool synced = false;
        long startedAt = 0;
        try
        {
            if (gatherUntil != 0)
                target = Gather(gatherUntil);
            startedAt = Stopwatch.GetTimestamp();
            writer.SyncForGroup(); // records its failure in the failure state before it throws
            synced = true;
        }
        finally
        {
            TaskCompletionSource? followers;
            lock (_lock)
            {
                if (synced)
                {
                    _gatherTicks = Math.Min(Stopwatch.GetTimestamp() - startedAt, MaxGatherTicks);
                    _syncs++;
                    _returning = target.Batch;
                    MakeDurableLocked(target.Mark, target.End);
                }
                else
                {
                    InvalidateLocked();
                }
                _syncing = false;
                followers = _followers;
                _followers = null;
            }
            followers?.SetResult();
        }
        return target.Mark >= mark.LastCommitFrame.Value ? null : Task.CompletedTask;
    }

    /// <summary>
    /// The leader's wait, with the sync announced, until the committers the previous sync acknowledged have appended
    /// again or <paramref name="until"/> has passed; then the target. Throws, failing the batch, if the engine failed.
    /// </summary>
    private (long Mark, long End, int Batch) Gather(long until)
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _returning) > 0 && Stopwatch.GetTimestamp() < until && !_failure.IsFailed)
            spinner.SpinOnce(sleep1Threshold: -1);
        lock (_lock)
        {
            if (_failure.IsFailed)
                ThrowLostLocked();
            return TakeTargetLocked();
        }
    }

    /// <summary>The sync's target: every commit appended so far, and how many commits that adds to the durable ones.</summary>
    private (long Mark, long End, int Batch) TakeTargetLocked()
    {
        int batch = _batch;
        _batch = 0;
        _returning = 0;
        return (_appended, _appendedEnd, batch);
    }

    private void MakeDurableLocked(long mark, long end)
    {
        _durable = mark;
        _durableEnd = end;
        var published = new WalMark(new FrameIndex(mark));
        _index.Publish(published);
        _published?.Invoke(published);
    }

    /// <summary>Once, after a failure, keeps every commit past the durable mark from being recovered (see the type).</summary>
    private void InvalidateLocked()
    {
        if (_invalidated || _durable >= _appended)
            return;
        _invalidated = true;
        _writer.InvalidateFrom(_durableEnd);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowLostLocked()
    {
        InvalidateLocked();
        throw new PageDbIOException(_writer.Path,
            $"The commit was not made durable: the database failed first ({_failure.Failure?.Message}); reopen it to recover.");
    }
}
