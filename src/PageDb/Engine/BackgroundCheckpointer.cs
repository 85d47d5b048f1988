using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Runs the automatic checkpoints on a thread of its own, so that a commit never waits for one. The writer, past the
/// threshold, signals; this thread first prepares the switch (<see cref="WriteAheadLog.PrepareSwitch"/>: the other
/// file's next header, and syncs of the current file ahead of the writer), then the writer switches the log to its
/// other file (<see cref="WriteAheadLog.TrySwitchFiles"/>: one short sync) and signals again; this thread then copies the generation left behind into the database file as soon as no reader
/// needs it any more and forgets it (<see cref="WriteAheadLog.CheckpointOlder"/>), retrying every few milliseconds
/// while readers hold it back. It also grows the log file ahead of the writer (<see cref="WriteAheadLog.GrowAhead"/>),
/// signalled once the writer is half way into the last growth step, so no commit writes a step of zeros itself.
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

    private readonly Func<bool> _checkpointOlder;
    private readonly FailureState _failure;

    // Set by the writer (Signal) and by Dispose; the thread waits on it.
    private readonly AutoResetEvent _wake = new(initialState: false);

    // Guards _stopping against a Signal racing Dispose (a writer still committing while the database closes).
    private readonly Lock _lifeLock = new();

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

    /// <summary>Asks for a background step (a checkpoint of the older log generation, or the next switch's preparation); returns at once.</summary>
    public void Signal()
    {
        lock (_lifeLock)
        {
            if (_stopping)
                return;
            _wake.Set();
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

    private void Run()
    {
        bool idle = true;
        while (true)
        {
            // While held back it polls rather than waiting on the event: the writer signals at every commit past the
            // threshold, and being woken by each of them would cost the commit path a wake-up (and this thread a
            // futile checkpoint) per commit. A signal meanwhile stays set and is consumed once the thread goes idle.
            if (idle)
                _wake.WaitOne();
            else
                Thread.Sleep(RetryWhileHeldBack);
            if (_stopping || _failure.IsFailed)
                return;
            try
            {
                idle = _checkpointOlder();
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
