using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The snapshot marks of the read transactions that are open, so a checkpoint never copies past what the oldest
/// reader still needs, and a full checkpoint can wait for old readers to finish.
/// Thread-safe: readers register and leave from any thread.
/// </summary>
internal sealed class ReaderRegistry
{
    private readonly object _lock = new();

    // Guarded by _lock: open snapshots per mark (several readers may share one mark).
    private readonly SortedDictionary<WalMark, OpenSnapshot> _openByMark = [];

    /// <summary>
    /// Registers a reader of the latest commit and returns its mark. Reading the mark and registering it are one
    /// step under the lock, so a checkpoint computing the oldest reader (<see cref="OldestOr"/>) never misses a reader
    /// that has taken a mark but not yet registered it.
    /// </summary>
    public WalMark Enter(WriteAheadLog wal)
    {
        lock (_lock)
        {
            WalMark mark = wal.LastCommit;
            _openByMark[mark] = _openByMark.TryGetValue(mark, out OpenSnapshot open)
                ? open with { Readers = open.Readers + 1 }
                : new OpenSnapshot(1, Environment.TickCount64, wal.CommittedBytes);
            return mark;
        }
    }

    /// <summary>Removes a reader registered with <see cref="Enter"/>, and wakes anyone waiting in <see cref="WaitUntilNoneOlderThan"/>.</summary>
    public void Leave(WalMark mark)
    {
        lock (_lock)
        {
            OpenSnapshot open = _openByMark[mark];
            if (open.Readers == 1)
                _openByMark.Remove(mark);
            else
                _openByMark[mark] = open with { Readers = open.Readers - 1 };
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>The oldest open snapshot, or <paramref name="whenNone"/> when no reader is open (never newer than it).</summary>
    public WalMark OldestOr(WalMark whenNone)
    {
        lock (_lock)
        {
            foreach (WalMark mark in _openByMark.Keys)
                return WalMark.Min(mark, whenNone);
            return whenNone;
        }
    }

    /// <summary>Number of open readers.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                int total = 0;
                foreach (OpenSnapshot open in _openByMark.Values)
                    total += open.Readers;
                return total;
            }
        }
    }

    /// <summary>
    /// How long the oldest snapshot still open has been held (since the first reader of it began) and the WAL bytes
    /// committed after it, which it keeps the log from forgetting; zeros when no reader is open.
    /// </summary>
    public (TimeSpan Age, long PinnedWalBytes) Oldest(WriteAheadLog wal)
    {
        lock (_lock)
        {
            foreach (OpenSnapshot open in _openByMark.Values)
                return (TimeSpan.FromMilliseconds(Environment.TickCount64 - open.BeganAt), wal.CommittedBytes - open.CommittedBytesAtMark);
            return (TimeSpan.Zero, 0);
        }
    }

    /// <summary>Waits until no open reader is older than <paramref name="mark"/>; false when <paramref name="timeout"/> passes first.</summary>
    public bool WaitUntilNoneOlderThan(WalMark mark, TimeSpan timeout)
    {
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (OldestOr(mark) < mark)
            {
                long left = deadline == long.MaxValue ? Timeout.Infinite : deadline - Environment.TickCount64;
                if (left != Timeout.Infinite && left <= 0)
                    return false;
                Monitor.Wait(_lock, (int)Math.Min(left == Timeout.Infinite ? int.MaxValue : left, int.MaxValue));
            }
            return true;
        }
    }
}

/// <summary>The readers of one snapshot mark.</summary>
/// <param name="Readers">How many are open.</param>
/// <param name="BeganAt">When the first of them began (<see cref="Environment.TickCount64"/>).</param>
/// <param name="CommittedBytesAtMark">The WAL's committed bytes when the mark was taken.</param>
internal readonly record struct OpenSnapshot(int Readers, long BeganAt, long CommittedBytesAtMark);
