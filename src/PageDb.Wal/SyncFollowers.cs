namespace PageDb.Wal;

/// <summary>
/// The commits waiting for one group sync (<see cref="GroupSync"/>): threads block, async callers await.
/// <see cref="Release"/> lets them all look again (the sync that covers them ended); <see cref="WakeOne"/> lets exactly
/// one look again (the sync before theirs ended, and one of them is to lead theirs), the others sleeping on. A blocked
/// thread sleeps at once instead of spinning: the sync it waits for is a device flush (0.1 ms and more), and on a
/// machine with few cores the spinning of several followers took the CPU from the very committers and syncs they were
/// waiting for.
/// </summary>
internal sealed class SyncFollowers
{
    /// <summary>Released from the start: "look again at once".</summary>
    public static SyncFollowers Released { get; } = CreateReleased();

    // Protects every field below. Blocked threads wait on its monitor: Monitor.Wait sleeps at once, with no spin first.
    private readonly object _lock = new();
    private bool _released;

    /// <summary>Threads inside <see cref="Wait"/>.</summary>
    private int _blocked;

    /// <summary>Wake-ups of one (<see cref="WakeOne"/>) that no follower has taken yet.</summary>
    private int _turns;

    /// <summary>The awaits not yet completed, in arrival order, one completion source each (so one can go on alone).</summary>
    private Queue<TaskCompletionSource>? _awaiting;

    /// <summary>Threads blocked in <see cref="Wait"/> now (for tests).</summary>
    internal int BlockedCount
    {
        get
        {
            lock (_lock)
                return _blocked;
        }
    }

    /// <summary>Blocks the thread until <see cref="Release"/>, or until it takes a <see cref="WakeOne"/>.</summary>
    public void Wait()
    {
        if (Volatile.Read(ref _released))
            return;
        lock (_lock)
        {
            _blocked++;
            try
            {
                while (!_released && _turns == 0)
                    Monitor.Wait(_lock);
                if (!_released)
                    _turns--;
            }
            finally
            {
                _blocked--;
            }
        }
    }

    /// <summary>
    /// Completes at <see cref="Release"/>, or when this await takes a <see cref="WakeOne"/> (its continuation runs on
    /// the thread pool, never on the releasing thread).
    /// </summary>
    public Task WaitAsync()
    {
        lock (_lock)
        {
            if (_released)
                return Task.CompletedTask;
            if (_turns > 0)
            {
                _turns--;
                return Task.CompletedTask;
            }
            var awaited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_awaiting ??= new Queue<TaskCompletionSource>()).Enqueue(awaited);
            return awaited.Task;
        }
    }

    /// <summary>
    /// Lets exactly one follower look again: a blocked thread, else the oldest await, else the next follower to come.
    /// Nothing once released.
    /// </summary>
    public void WakeOne()
    {
        lock (_lock)
        {
            if (_released)
                return;
            if (_blocked > _turns)
            {
                _turns++;
                Monitor.Pulse(_lock);
            }
            else if (_awaiting is { Count: > 0 })
                _awaiting.Dequeue().TrySetResult();
            else
                _turns++;
        }
    }

    /// <summary>Lets every follower look again, now and from now on.</summary>
    public void Release()
    {
        lock (_lock)
        {
            Volatile.Write(ref _released, true);
            Monitor.PulseAll(_lock);
            while (_awaiting is { Count: > 0 })
                _awaiting.Dequeue().TrySetResult();
        }
    }

    private static SyncFollowers CreateReleased()
    {
        var released = new SyncFollowers();
        released.Release();
        return released;
    }
}
