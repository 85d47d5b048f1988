namespace PageDb.Wal;

/// <summary>
/// The commits waiting beside one group sync (<see cref="GroupSync"/>) for it to end: threads block, async callers
/// await, and <see cref="Release"/> lets them all look again. A blocked thread sleeps at once instead of spinning: the
/// sync it waits for is a device flush (0.1 ms and more), and on a machine with few cores the spinning of several
/// followers took the CPU from the very committers and syncs they were waiting for.
/// </summary>
internal sealed class SyncFollowers
{
    /// <summary>Released from the start: "look again at once".</summary>
    public static SyncFollowers Released { get; } = CreateReleased();

    // Blocked threads wait on this object's monitor until _released: Monitor.Wait sleeps at once, with no spin first.
    private readonly object _blocked = new();
    private bool _released;

    // Made by the first async follower (raced with Release, which completes it whichever comes first).
    private TaskCompletionSource? _awaited;

    /// <summary>Blocks the thread until <see cref="Release"/>.</summary>
    public void Wait()
    {
        if (Volatile.Read(ref _released))
            return;
        lock (_blocked)
        {
            while (!_released)
                Monitor.Wait(_blocked);
        }
    }

    /// <summary>Completes at <see cref="Release"/> (its continuation runs on the thread pool, never on the releasing thread).</summary>
    public Task WaitAsync()
    {
        TaskCompletionSource awaited = Volatile.Read(ref _awaited)
            ?? Interlocked.CompareExchange(ref _awaited, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null)
            ?? _awaited;
        if (Volatile.Read(ref _released))
            awaited.TrySetResult();
        return awaited.Task;
    }

    /// <summary>Lets every follower look again. Called once, after the group stopped handing this object out.</summary>
    public void Release()
    {
        lock (_blocked)
        {
            Volatile.Write(ref _released, true);
            Monitor.PulseAll(_blocked);
        }
        Volatile.Read(ref _awaited)?.TrySetResult();
    }

    private static SyncFollowers CreateReleased()
    {
        var released = new SyncFollowers();
        released.Release();
        return released;
    }
}
