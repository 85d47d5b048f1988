using System.Diagnostics;
using PageDb.Core.Paging;

namespace PageDb.Core.Buffers;

/// <summary>
/// A fixed number of page-sized frames caching page versions by <see cref="PageKey"/>. Pages are reached through
/// <see cref="PageHandle"/>s that pin their frame until disposed; a pinned frame is never reused. Dirty frames (changes
/// nobody has saved yet) are never evicted either. Eviction among the rest is scan-resistant (<see cref="TwoQueueReplacer"/>).
/// </summary>
/// <remarks>
/// <para>Threads: every member is safe to call from any number of threads at once. One lock guards the key map, every
/// frame's state and the replacer; it is held only for a few dictionary and list operations, never during I/O: a miss
/// marks its frame as loading, loads outside the lock, and threads wanting the same key (to pin it, mark it, or remove
/// it) wait for that load rather than loading it twice or changing a frame whose load has not finished.</para>
/// <para>Memory: frames and their buffers are created on first need up to <see cref="FrameCount"/> and reused for
/// the pool's life, so a hit allocates nothing and a miss allocates nothing once the pool has filled. A few may be
/// created ahead of need, on another thread (<see cref="AddSpareFrames"/>, asked for by <see cref="NeedsSpareFrames"/>),
/// so that a commit that adds a page to a growing database finds a free frame instead of allocating its buffer: a new
/// buffer is memory the process touches for the first time, about 24 µs per 4 KiB on the virtual machine of
/// docs/benchmarks.md ("W7's p99: first touches of new memory").</para>
/// <para>Invariants (<see cref="Verify"/>): a key maps to at most one frame and that frame holds the key; every frame
/// is exactly one of mapped, free (unpinned, clean) or detached (removed while pinned: clean, freed at its last unpin);
/// a frame is in the replacer exactly when it is mapped, clean and loaded; the pinned and dirty counters equal the
/// frames in those states.</para>
/// </remarks>
internal sealed class BufferPool : IEvictionCandidates, IDisposable
{
    private const int MinFrames = 4;

    // How much memory AddSpareFrames keeps in created, free frames (in whole frames: at least SpareFramesMin), and
    // the quarter of it below which NeedsSpareFrames asks for more.
    private const int SpareBytes = 128 << 10;
    private const int SpareFramesMin = 4;

    private readonly object _lock = new();

    // All guarded by _lock.
    private readonly Dictionary<PageKey, Frame> _map;
    private readonly Frame?[] _frames;
    private readonly Stack<int> _freeFrames;
    private readonly IReplacer _replacer;
    private int _createdFrames;
    private int _pinnedFrames;
    private int _dirtyFrames;
    private long _hits;
    private long _misses;
    private long _evictions;

    /// <summary>
    /// Creates a pool of <paramref name="capacityBytes"/> (rounded down to whole pages; at least 4 frames), evicting
    /// with <paramref name="replacer"/> (a <see cref="TwoQueueReplacer"/> when null) sized for <see cref="FrameCount"/> frames.
    /// </summary>
    public BufferPool(int pageSize, long capacityBytes, Func<int, IReplacer>? replacer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, (long)pageSize * MinFrames);
        PageSize = pageSize;
        FrameCount = (int)Math.Min(capacityBytes / pageSize, Array.MaxLength);
        _map = new Dictionary<PageKey, Frame>(Math.Min(FrameCount, 1 << 16));
        _frames = new Frame?[FrameCount];
        _freeFrames = new Stack<int>();
        _replacer = replacer?.Invoke(FrameCount) ?? new TwoQueueReplacer(FrameCount);
    }

    /// <summary>The size of every frame.</summary>
    public int PageSize { get; }

    /// <summary>How many pages the pool can hold.</summary>
    public int FrameCount { get; }

    /// <summary>
    /// True when the pool may still create frames but holds fewer than a few free ones, so the next new versions would
    /// create frames (allocating their buffers) on the thread that asks for them: then <see cref="AddSpareFrames"/> is
    /// due, on a thread beside it.
    /// </summary>
    public bool NeedsSpareFrames
    {
        get
        {
            lock (_lock)
                return _createdFrames < FrameCount && _freeFrames.Count < SpareFrames / 4;
        }
    }

    /// <summary>
    /// Creates free frames ahead of need, up to a few (about 128 KiB) free ones and never past <see cref="FrameCount"/>:
    /// their buffers are allocated, and so first touched, on the calling thread, outside the lock. Any thread.
    /// </summary>
    public void AddSpareFrames()
    {
        int wanted;
        lock (_lock)
            wanted = Math.Min(SpareFrames - _freeFrames.Count, FrameCount - _createdFrames);
        if (wanted <= 0)
            return;
        var buffers = new byte[wanted][];
        for (int i = 0; i < wanted; i++)
            buffers[i] = new byte[PageSize];
        lock (_lock)
        {
            foreach (byte[] buffer in buffers)
            {
                if (_createdFrames == FrameCount || _freeFrames.Count >= SpareFrames)
                    break;
                var frame = new Frame(this, _createdFrames, buffer);
                _frames[_createdFrames++] = frame;
                _freeFrames.Push(frame.Index);
            }
        }
    }

    /// <summary>How many free frames <see cref="AddSpareFrames"/> keeps.</summary>
    private int SpareFrames => Math.Max(SpareFramesMin, SpareBytes / PageSize);

    /// <summary>The counters, read together at one moment.</summary>
    public BufferPoolStats Stats
    {
        get
        {
            lock (_lock)
                return new BufferPoolStats(_hits, _misses, _evictions, _map.Count, _pinnedFrames, _dirtyFrames, FrameCount);
        }
    }

    /// <summary>
    /// Pins the version <paramref name="key"/> names, loading it with <paramref name="loader"/> on a miss. A loader
    /// exception leaves nothing cached and nothing pinned.
    /// </summary>
    /// <exception cref="BufferPoolExhaustedException">Every frame is pinned or dirty.</exception>
    public PageHandle Pin(PageKey key, IPageLoader loader, bool forWriting = false)
    {
        ArgumentNullException.ThrowIfNull(loader);
        Frame frame;
        lock (_lock)
        {
            if (TryPinCachedLocked(key, out frame!))
                return new PageHandle(frame, forWriting);
            frame = TakeFrameLocked(key);
            frame.IsLoading = true;
            _misses++;
        }
        Load(frame, key, loader);
        return new PageHandle(frame, forWriting);
    }

    /// <summary>Pins <paramref name="key"/> only if it is cached; never loads.</summary>
    public bool TryPin(PageKey key, out PageHandle handle) => TryPinCached(key, isAccess: true, out handle);

    /// <summary>
    /// Pins <paramref name="key"/> for reading only if it is cached, as a look the cache does not learn from: no hit is
    /// counted and the eviction order is unchanged. For a version about to be dropped (the version a commit's page
    /// was copied from, compared by the replication hook), whose use says nothing about what to keep. Never loads.
    /// </summary>
    public bool TryPeek(PageKey key, out PageHandle handle) => TryPinCached(key, isAccess: false, out handle);

    /// <summary><see cref="TryPin"/> (an access) or <see cref="TryPeek"/> (a look that only reads and counts nothing).</summary>
    private bool TryPinCached(PageKey key, bool isAccess, out PageHandle handle)
    {
        lock (_lock)
        {
            if (TryPinCachedLocked(key, out Frame? frame, isAccess))
            {
                handle = new PageHandle(frame, isWritable: isAccess);
                return true;
            }
        }
        handle = default;
        return false;
    }

    /// <summary>
    /// Creates a zeroed frame for a new version <paramref name="key"/>, pinned and writable, and marks it dirty. The key
    /// must not be cached already.
    /// </summary>
    /// <exception cref="BufferPoolExhaustedException">Every frame is pinned or dirty.</exception>
    public PageHandle PinNewVersion(PageKey key)
    {
        Frame frame;
        lock (_lock)
        {
            if (_map.ContainsKey(key))
                throw new InvalidOperationException($"Page version {key} is already cached.");
            frame = TakeFrameLocked(key);
            frame.IsDirty = true;
            _dirtyFrames++;
        }
        Array.Clear(frame.Buffer);
        return new PageHandle(frame, isWritable: true);
    }

    /// <summary>Marks a cached version dirty: it is not evicted until <see cref="MarkClean"/> or <see cref="Remove"/>.</summary>
    public void MarkDirty(PageKey key)
    {
        lock (_lock)
        {
            if (!TryGetLoadedLocked(key, out Frame frame))
                throw new InvalidOperationException($"Page version {key} is not cached.");
            if (frame.IsDirty)
                return;
            frame.IsDirty = true;
            _dirtyFrames++;
            _replacer.Remove(frame.Index);
        }
    }

    /// <summary>Marks a cached version clean (its owner saved it): it may be evicted again. Does nothing when absent.</summary>
    public void MarkClean(PageKey key)
    {
        lock (_lock)
        {
            if (!TryGetLoadedLocked(key, out Frame frame) || !frame.IsDirty)
                return;
            frame.IsDirty = false;
            _dirtyFrames--;
            _replacer.RecordAccess(frame.Index);
        }
    }

    /// <summary>
    /// Drops a cached version, dirty or not; does nothing when absent. A frame still pinned is detached (nobody can
    /// pin it again) and reused once its last handle is disposed.
    /// </summary>
    public void Remove(PageKey key)
    {
        lock (_lock)
        {
            if (!TryGetLoadedLocked(key, out Frame frame))
                return;
            _map.Remove(key);
            _replacer.Remove(frame.Index);
            if (frame.IsDirty)
            {
                frame.IsDirty = false;
                _dirtyFrames--;
            }
            if (frame.PinCount == 0)
                FreeLocked(frame);
            else
                frame.IsDetached = true;
        }
    }

    /// <summary>
    /// Renames a cached version: the frame of <paramref name="from"/> now holds <paramref name="to"/>, clean and
    /// evictable (its owner has saved it under the new name, as a commit saves a private copy as a WAL frame).
    /// Does nothing when <paramref name="from"/> is not cached; drops it when <paramref name="to"/> already is.
    /// </summary>
    public void Rename(PageKey from, PageKey to)
    {
        lock (_lock)
        {
            if (!TryGetLoadedLocked(from, out Frame frame))
                return;
            _map.Remove(from);
            if (frame.IsDirty)
            {
                frame.IsDirty = false;
                _dirtyFrames--;
            }
            if (_map.ContainsKey(to))
            {
                _replacer.Remove(frame.Index);
                if (frame.PinCount == 0)
                    FreeLocked(frame);
                else
                    frame.IsDetached = true;
                return;
            }
            frame.Assign(to);
            _map.Add(to, frame);
            _replacer.RecordAccess(frame.Index);
        }
    }

    /// <summary>True when <paramref name="key"/> is cached and somebody holds a handle on it.</summary>
    public bool IsPinned(PageKey key)
    {
        lock (_lock)
            return _map.TryGetValue(key, out Frame? frame) && frame.PinCount > 0;
    }

    /// <summary>Adds the keys of every dirty version to <paramref name="into"/>.</summary>
    public void CopyDirtyKeys(List<PageKey> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        lock (_lock)
        {
            foreach ((PageKey key, Frame frame) in _map)
            {
                if (frame.IsDirty)
                    into.Add(key);
            }
        }
    }

    /// <summary>True when frame <paramref name="frame"/> may be evicted now. Called by the replacer under the pool's lock.</summary>
    bool IEvictionCandidates.IsEvictable(int frame)
    {
        Frame? candidate = _frames[frame];
        return candidate is { PinCount: 0, IsDirty: false, IsLoading: false };
    }

    /// <summary>Checks the invariants in the remarks; throws <see cref="InvalidOperationException"/> when one is broken. For tests.</summary>
    public void Verify()
    {
        lock (_lock)
        {
            int pinned = 0, dirty = 0;
            foreach ((PageKey key, Frame frame) in _map)
                Check(frame.Key == key && !frame.IsDetached, $"frame {frame.Index} is mapped under {key} but holds {frame.Key}");
            for (int i = 0; i < _createdFrames; i++)
            {
                Frame frame = _frames[i]!;
                VerifyFrameLocked(frame);
                pinned += frame.PinCount > 0 ? 1 : 0;
                dirty += frame.IsDirty ? 1 : 0;
            }
            Check(pinned == _pinnedFrames, $"pinned counter {_pinnedFrames} but {pinned} frames pinned");
            Check(dirty == _dirtyFrames, $"dirty counter {_dirtyFrames} but {dirty} frames dirty");
        }
    }

    /// <summary>A frame is exactly one of mapped, free, or detached (pinned, clean, awaiting its last unpin).</summary>
    private void VerifyFrameLocked(Frame frame)
    {
        int i = frame.Index;
        bool mapped = IsMappedLocked(frame);
        bool free = _freeFrames.Contains(i);
        Check(frame.PinCount >= 0, $"frame {i} has a negative pin count");
        Check(!(mapped && free), $"free frame {i} is mapped");
        Check(!free || (frame.PinCount == 0 && !frame.IsDirty && !frame.IsLoading), $"free frame {i} is in use");
        Check(frame.IsDetached == (!mapped && !free), $"frame {i} is unreachable but not detached, or detached but reachable");
        Check(!frame.IsDetached || (frame.PinCount > 0 && !frame.IsDirty), $"detached frame {i} is unpinned or dirty");
        bool shouldTrack = mapped && !frame.IsDirty && !frame.IsLoading;
        Check(_replacer.Contains(i) == shouldTrack, $"frame {i}: replacer tracks it {!shouldTrack}, expected {shouldTrack}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _map.Clear();
            _freeFrames.Clear();
        }
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition)
            throw new InvalidOperationException("Buffer pool invariant broken: " + problem);
    }

    private bool IsMappedLocked(Frame frame) => _map.TryGetValue(frame.Key, out Frame? holder) && holder == frame;

    /// <summary>Pins the frame of <paramref name="key"/> when cached; an access (<paramref name="isAccess"/>) also counts a hit and refreshes its eviction order.</summary>
    private bool TryPinCachedLocked(PageKey key, out Frame frame, bool isAccess = true)
    {
        if (!TryGetLoadedLocked(key, out frame))
            return false;
        PinLocked(frame);
        if (!isAccess)
            return true;
        _hits++;
        if (!frame.IsDirty)
            _replacer.RecordAccess(frame.Index);
        return true;
    }

    /// <summary>
    /// Finds the frame holding <paramref name="key"/>, first waiting for a load of it in progress: only the loading
    /// thread changes a loading frame's state, and its outcome (cached or gone) decides.
    /// </summary>
    private bool TryGetLoadedLocked(PageKey key, out Frame frame)
    {
        while (_map.TryGetValue(key, out frame!))
        {
            if (!frame.IsLoading)
                return true;
            Monitor.Wait(_lock);
        }
        return false;
    }

    private void Load(Frame frame, PageKey key, IPageLoader loader)
    {
        try
        {
            loader.Load(key, frame.Buffer);
        }
        catch
        {
            lock (_lock)
            {
                frame.IsLoading = false;
                _map.Remove(key);
                UnpinLocked(frame);
                FreeLocked(frame);
                Monitor.PulseAll(_lock);
            }
            throw;
        }
        lock (_lock)
        {
            frame.IsLoading = false;
            _replacer.RecordAccess(frame.Index);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Finds a frame for <paramref name="key"/> (free, new, or evicted), maps it and pins it once.</summary>
    private Frame TakeFrameLocked(PageKey key)
    {
        Frame frame;
        if (_freeFrames.Count > 0)
        {
            frame = _frames[_freeFrames.Pop()]!;
        }
        else if (_createdFrames < FrameCount)
        {
            frame = new Frame(this, _createdFrames, new byte[PageSize]);
            _frames[_createdFrames++] = frame;
        }
        else
        {
            int victim = _replacer.ChooseVictim(this);
            if (victim < 0)
                throw new BufferPoolExhaustedException(FrameCount, _pinnedFrames, _dirtyFrames);
            frame = _frames[victim]!;
            _map.Remove(frame.Key);
            _evictions++;
        }
        frame.Assign(key);
        _map.Add(key, frame);
        PinLocked(frame);
        return frame;
    }

    private void FreeLocked(Frame frame)
    {
        Debug.Assert(frame.PinCount == 0 && !frame.IsDirty, "only an unpinned, clean frame is freed");
        frame.IsDetached = false;
        _freeFrames.Push(frame.Index);
    }

    private void PinLocked(Frame frame)
    {
        if (frame.PinCount++ == 0)
            _pinnedFrames++;
    }

    private void UnpinLocked(Frame frame)
    {
        Debug.Assert(frame.PinCount > 0, "a handle was disposed twice");
        if (--frame.PinCount == 0)
            _pinnedFrames--;
    }

    private void Unpin(Frame frame)
    {
        lock (_lock)
        {
            UnpinLocked(frame);
            if (frame.PinCount == 0 && frame.IsDetached)
                FreeLocked(frame);
        }
    }

    /// <summary>A frame of this pool; its state fields are guarded by the pool's lock.</summary>
    private sealed class Frame(BufferPool pool, int index, byte[] buffer) : PageFrame(buffer)
    {
        public int Index { get; } = index;

        public PageKey Key { get; private set; }

        public int PinCount { get; set; }

        public bool IsDirty { get; set; }

        public bool IsLoading { get; set; }

        /// <summary>Removed from the map while pinned: freed when the last pin goes.</summary>
        public bool IsDetached { get; set; }

        public void Assign(PageKey key)
        {
            Key = key;
            Number = key.Page;
        }

        public override void Unpin() => pool.Unpin(this);
    }
}
