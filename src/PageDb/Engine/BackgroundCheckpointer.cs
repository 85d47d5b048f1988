using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Runs the automatic checkpoints on a thread of its own, so that a commit never waits for one. The writer, past the
/// threshold, signals; this thread first prepares the switch (<see cref="WriteAheadLog.PrepareSwitch"/>: the other
/// file's next header, and syncs of the current file ahead of the writer), then the writer switches the log to its
/// other file (<see cref="WriteAheadLog.TrySwitchFiles"/>: one short sync) and signals again; this thread then copies the generation left behind into the database file as soon as no reader
/// needs it any more and forgets it (<see cref="WriteAheadLog.CheckpointOlder"/>), retrying every few milliseconds
/// while readers hold it back. It also grows the log file ahead of the writer (<see cref="WriteAheadLog.GrowAhead"/>),
/// signalled once the writer is half way into the last growth step, so no commit writes a step of zeros itself, and
/// creates buffer-pool frames ahead of the writer's new pages (<see cref="PageDb.Core.Buffers.BufferPool.AddSpareFrames"/>),
/// and the log index's next segment (<see cref="WriteAheadLog.PrepareIndexSegment"/>), so no commit allocates either.
/// <para>
/// No lost wake-up, with one event set per need rather than per commit (the writer signals at every commit while the
/// log has an older generation; setting the event each time cost some commits milliseconds on a loaded machine):
/// <c>_wakePending</c> is set by every <see cref="Signal"/>, but only the signal that finds it clear sets the event,
/// and the thread clears it right after its wait returns, before its step looks at what there is to do. So a signal
/// either finds the flag clear and sets the event (the thread's next wait returns at once), or finds it set by an
/// earlier signal whose event the thread has not yet consumed, or has consumed without having cleared the flag yet
/// (the step it is about to run starts after this signal). Either way a step starts after every signal, and sees
/// what the signaller changed before signalling: the flag's exchange on both sides is a full fence. While the thread
/// polls (held back by a reader) it steps every few milliseconds without clearing the flag, so the writer sets the
/// event at most once meanwhile, and the thread, once idle again, takes that one wake for one more step.
/// </para>
/// <para>
/// Lingering: setting the event is a system call that wakes a sleeping thread, which cost the committing thread about
/// 20-30 µs of its own CPU on the bench machine (W7: about 50 such commits in 20,000, at about 4x a median commit).
/// So once a step ends, while the writer keeps asking, the thread does not wait on the event: it sleeps
/// <see cref="LingerPoll"/> at a time with <c>_wakePending</c> left set (a signal then costs the writer two stores and
/// no event) and runs a step after each sleep during which a signal came (<c>_askedWhileLingering</c>). After
/// <see cref="LingerPolls"/> sleeps without one it stops lingering: it clears <c>_wakePending</c> (from then on a
/// signal sets the event again), then looks at <c>_askedWhileLingering</c> once more (a signal that came before the
/// clear found the flag set and set no event: both exchanges are full fences, so that signal's store is seen here) and
/// runs a step if it was set, else waits on the event. So a step still starts after every signal; a need waits at
/// most one poll longer.
/// </para>
/// <para>
/// Threads: <see cref="Signal"/> from the writer; <see cref="Dispose"/> from the engine's Dispose, before the final
/// checkpoint. The checkpoint itself runs under the engine's checkpoint lock, so it never overlaps a checkpoint of the
/// writer's (explicit <c>Checkpoint</c>, close). A failure of any kind is recorded in the engine's one failure state
/// (the database then refuses writes until reopened) and stops the thread.
/// </para>
/// </summary>
internal sealed class BackgroundCheckpointer : IDisposable
{
    private static readonly TimeSpan RetryWhileHeldBack = TimeSpan.FromMilliseconds(5);

    // How long the thread sleeps between looks while it lingers, and after how many looks without a signal it stops
    // (see "Lingering" above): about 20 ms after the writer's last signal, so a stream of commits keeps it lingering.
    private static readonly TimeSpan LingerPoll = TimeSpan.FromMilliseconds(1);
    private const int LingerPolls = 20;

    private readonly Func<bool> _checkpointOlder;
    private readonly FailureState _failure;

    // Set by the first Signal since the thread last cleared _wakePending, and by Dispose; the thread waits on it.
    private readonly AutoResetEvent _wake = new(initialState: false);

    // 1 from a Signal, or while the thread lingers (it leaves it set: see "Lingering" above), until the thread clears it
    // before it waits on the event or runs its step (see "No lost wake-up" above): the signals that find it set cost the
    // writer one interlocked exchange and no event.
    private int _wakePending;

    // Set (to 1) by every Signal, taken by the lingering thread at each look (see "Lingering" above).
    private int _askedWhileLingering;

    // Guards _stopping against a Signal setting the event while Dispose disposes it (a writer still committing while
    // the database closes). Taken by the signal that sets the event, not by those that find a wake pending.
    private readonly Lock _lifeLock = new();

    // Signals that set the event (under _lifeLock): what the wake-up costs the writer is counted, and tested, per need.
    private long _wakeUpsSet;

    // Started with the engine, not at the first Signal: Thread.Start returns only once the new thread runs, which on a
    // loaded machine took 8-13 ms (a scheduling quantum), and the commit that first crosses the threshold must not wait
    // for it. An idle thread waits on _wake and costs no CPU.
    private readonly Thread _thread;

    // Set once by Dispose (under _lifeLock), read by the thread after every wake.
    private volatile bool _stopping;

    /// <summary>
    /// Starts the thread, which waits for the first <see cref="Signal"/>. <paramref name="checkpointOlder"/> runs one
    /// background checkpoint (under the engine's checkpoint lock) and returns true when nothing is left for it to do.
    /// </summary>
    public BackgroundCheckpointer(Func<bool> checkpointOlder, FailureState failure, string databasePath)
    {
        _checkpointOlder = checkpointOlder;
        _failure = failure;
        _thread = new Thread(Run) { IsBackground = true, Name = "PageDb checkpoint " + Path.GetFileName(databasePath) };
        _thread.Start();
    }

    /// <summary>
    /// Asks for a background step (a checkpoint of the older log generation, the next switch's preparation, or the
    /// growth of the log ahead); returns at once. What the caller changed before signalling is seen by a step that
    /// starts after this call. Only the first signal since the thread last woke sets the event.
    /// </summary>
    public void Signal()
    {
        Volatile.Write(ref _askedWhileLingering, 1); // before the exchange below, whose full fence publishes it
        // A full fence, so the thread's clear-then-look and this publish-then-signal cannot both miss the other.
        if (Interlocked.Exchange(ref _wakePending, 1) != 0)
            return;
        lock (_lifeLock)
        {
            if (_stopping)
                return;
            _wake.Set();
            _wakeUpsSet++;
        }
    }

    /// <summary>How many <see cref="Signal"/> calls set the event (the others found a wake pending already).</summary>
    public long WakeUpsSet
    {
        get
        {
            lock (_lifeLock)
                return _wakeUpsSet;
        }
    }

    /// <summary>Stops the thread (if it started) and waits for a checkpoint in progress to finish.</summary>
    public void Dispose()
    {
        lock (_lifeLock)
        {
            if (_stopping)
                return;
            _stopping = true;
            _wake.Set();
        }
        _thread.Join();
        _wake.Dispose();
    }

    /// <summary>
    /// Returns once a step is due: after a step (<paramref name="afterStep"/>) lingers while the writer keeps
    /// signalling, then waits on the event (see "Lingering" and "No lost wake-up" above). Returns at once when stopping.
    /// </summary>
    private void WaitToBeAsked(bool afterStep)
    {
        if (afterStep)
        {
            // The writer asked for the step that just ended, and in a stream of commits asks again soon.
            Interlocked.Exchange(ref _wakePending, 1); // from now on a signal sets no event
            _wake.WaitOne(0); // an event set during the step is answered by the looks below (its signal set the flag first)
            for (int quiet = 0; quiet < LingerPolls; quiet++)
            {
                Thread.Sleep(LingerPoll);
                if (_stopping || Interlocked.Exchange(ref _askedWhileLingering, 0) != 0)
                    return;
            }
        }
        Interlocked.Exchange(ref _wakePending, 0); // a signal from now on sets the event
        if (Interlocked.Exchange(ref _askedWhileLingering, 0) != 0)
            return; // a signal between the last look and the clear, which set no event
        _wake.WaitOne();
        Interlocked.Exchange(ref _askedWhileLingering, 0); // the step about to run starts after every signal so far
        Interlocked.Exchange(ref _wakePending, 0); // before the step looks: a signal from now on sets the event
    }

    private void Run()
    {
        // On Linux, puts this thread under SCHED_BATCH (LinuxNative.SetCallingThreadBatchScheduling): the
        // writer's Signal wakes it, and with both cores busy the scheduler would often run it at once on the
        // writer's own core, preempting the commit that signalled (W7's slowest commits: a third of the slowest 1% had the
        // background thread running and the writer switched out; docs/benchmarks.md, "W7's p99: the background thread
        // preempting the writer"). Under SCHED_BATCH it waits for the running thread's slice instead, with the same share of
        // the CPU as before, so its steps are not starved (a lower priority was tried: the writer then created the pool
        // frames and log space itself, faulting in new memory). Best effort: if the call fails nothing changes.
        LinuxNative.SetCallingThreadBatchScheduling();
        bool idle = true;
        bool stepped = false;
        while (true)
        {
            // While held back it polls rather than waiting on the event, and leaves _wakePending as it is: the writer
            // signals at every commit while the log has an older generation, and a wake per commit would cost the
            // commit path an event (and this thread a futile checkpoint) each. A signal meanwhile sets the event at
            // most once, which stays set and is consumed, for one more step, once the thread goes idle.
            if (idle)
                WaitToBeAsked(afterStep: stepped);
            else
                Thread.Sleep(RetryWhileHeldBack);
            if (_stopping || _failure.IsFailed)
                return;
            try
            {
                idle = _checkpointOlder();
                stepped = true;
            }
            catch (Exception e)
            {
                // Nobody waits on this thread to hear of it: the failure state tells the next writer (or the close,
                // when no writer comes first), and the open that follows recovers from the log, which still holds
                // everything the copy did not finish.
                _failure.FailUnattended(e);
                return;
            }
        }
    }
}
