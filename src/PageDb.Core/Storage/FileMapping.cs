using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// A read-only shared memory mapping of one file (mmap, PROT_READ, MAP_SHARED), so a read that the mapping covers is a
/// copy out of the OS page cache instead of a pread system call. Writes still go through pwrite; on Linux the page cache
/// is one, so the mapping sees them at once.
/// </summary>
/// <remarks>
/// <para>The danger: touching a mapped byte past the file's end raises SIGBUS, which kills a .NET process. So:</para>
/// <list type="number">
/// <item>A view never reaches past the file's length when it is mapped (<see cref="TryGrow"/> maps exactly the length
/// fstat gives), and a read is served only when it lies wholly inside the view it read.</item>
/// <item>Only the owner may shrink the file, and only through <see cref="UnmapBeforeSetLength"/>, which holds the gate
/// across the change: it unpublishes every view that reaches past the new length, waits until no reader is inside one
/// (<c>_readers</c>), unmaps them, and only then lets the length change. A reader counts itself in before it reads
/// <c>_view</c> and out after its copy; both sides use full fences (Interlocked), so either the reader sees the
/// unpublished view or the shrinker sees the reader (the Dekker pattern).</item>
/// <item>No other writer may shrink the file: the mapping is made only by an owner holding the database's exclusive
/// writer lock (no other PageDb process or instance can then write the file), never by a read-only open, which runs
/// beside another process's writer and reads with pread. A program outside PageDb that truncates a live database file
/// kills the process, as it does SQLite's with mmap_size set.</item>
/// <item>A growing file is mapped again (a new, longer view) when a read falls past the current view and the file has
/// grown by a quarter; until then such reads fall back to pread. Whether it has grown is first judged from the extent
/// the owner reports (<see cref="NoteExtent"/>: only the owner writes the file), so those reads take neither the gate
/// nor an fstat; the view itself is still mapped only to the length fstat gives. Replaced views stay mapped, since a reader may still be
/// copying from one, until the next shrink or <see cref="Dispose"/> drains the readers: at most the sum of a geometric
/// series of address space.</item>
/// <item>A disk error under a mapped page also raises SIGBUS where pread would throw; PageDbOptions.MemoryMappedReads
/// turns the mapping off for those who would rather see the exception.</item>
/// </list>
/// <para>Threads: <see cref="TryRead"/> from any number of threads; <see cref="UnmapBeforeSetLength"/> and
/// <see cref="Dispose"/> from the file's owner.</para>
/// </remarks>
internal sealed unsafe class FileMapping : IDisposable
{
    private static readonly nint MapFailed = -1; // MAP_FAILED

    private readonly SafeFileHandle _handle;
    private readonly Lock _gate = new(); // guards _retired, _mappedEnd, _disposed and every mmap/munmap; held across a shrink
    private readonly List<View> _retired = []; // views replaced by longer ones, still mapped until the readers drain
    private View? _view;    // the view readers use: published and unpublished with Interlocked, read after counting in
    private int _readers;   // readers between counting themselves in and out of TryRead's copy
    private long _mappedEnd; // the longest view still mapped (current or retired)
    private long _knownEnd;  // the file's extent as the owner last reported it: a hint for TryGrow, never a mapping length
    private bool _disposed;

    public FileMapping(SafeFileHandle handle)
    {
        _handle = handle;
        lock (_gate)
        {
            _knownEnd = LengthOrZero();
            MapLocked(_knownEnd);
        }
    }

    /// <summary>The length the readers' view covers; 0 when none is mapped. For tests.</summary>
    public long MappedLength => Volatile.Read(ref _view)?.Length ?? 0;

    /// <summary>Copies <c>destination.Length</c> bytes at <paramref name="offset"/> from the mapping; false when the mapping does not cover them.</summary>
    public bool TryRead(long offset, Span<byte> destination) =>
        TryCopy(offset, destination) || (TryGrow(offset + destination.Length) && TryCopy(offset, destination));

    /// <summary>Records that the owner wrote the file up to <paramref name="end"/> (a write that may have grown it).</summary>
    public void NoteExtent(long end)
    {
        long known = Volatile.Read(ref _knownEnd);
        while (end > known)
        {
            long seen = Interlocked.CompareExchange(ref _knownEnd, end, known);
            if (seen == known)
                return;
            known = seen;
        }
    }

    /// <summary>
    /// Enters the gate and, when <paramref name="newLength"/> is shorter than a mapped view, unmaps every view once no
    /// reader is inside one. Dispose the result after the length has changed: until then no view is mapped again.
    /// </summary>
    public Lock.Scope UnmapBeforeSetLength(long newLength)
    {
        Lock.Scope scope = _gate.EnterScope();
        if (newLength < _mappedEnd)
            UnmapAllLocked();
        Volatile.Write(ref _knownEnd, newLength);
        return scope;
    }

    /// <summary>Unmaps everything once the readers are out; later reads are not served (callers fall back to pread).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            UnmapAllLocked();
        }
    }

    private bool TryCopy(long offset, Span<byte> destination)
    {
        Interlocked.Increment(ref _readers);
        try
        {
            View? view = Volatile.Read(ref _view);
            if (view is null || offset < 0 || offset > view.Length - destination.Length)
                return false;
            new ReadOnlySpan<byte>((byte*)view.Address + offset, destination.Length).CopyTo(destination);
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _readers);
        }
    }

    /// <summary>Maps the file again when it now covers <paramref name="end"/> and has grown by a quarter since the last view.</summary>
    private bool TryGrow(long end)
    {
        long known = Volatile.Read(ref _knownEnd);
        long viewed = Volatile.Read(ref _view)?.Length ?? 0;
        if (known < end || known < viewed + viewed / 4)
            return false; // not grown enough by the owner's own account: pread, without the gate or an fstat
        lock (_gate)
        {
            if (_disposed)
                return false;
            long current = _view?.Length ?? 0;
            if (end <= current)
                return true; // another thread mapped it meanwhile
            long length = LengthOrZero();
            if (length < end || length < current + current / 4)
                return false;
            return MapLocked(length);
        }
    }

    /// <summary>The file's length, or 0 (map nothing) when fstat fails: the pread that follows reports the error as the file's.</summary>
    private long LengthOrZero()
    {
        try
        {
            return RandomAccess.GetLength(_handle);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private bool MapLocked(long length)
    {
        if (length <= 0)
            return false;
        nint address = LinuxNative.MMap(0, (nuint)length, LinuxNative.ProtRead, LinuxNative.MapShared, _handle, 0);
        if (address == MapFailed)
            return false; // out of address space or a file system without mmap: reads use pread
        View? replaced = Interlocked.Exchange(ref _view, new View(address, length));
        if (replaced is not null)
            _retired.Add(replaced);
        _mappedEnd = Math.Max(_mappedEnd, length);
        return true;
    }

    private void UnmapAllLocked()
    {
        View? current = Interlocked.Exchange(ref _view, null);
        if (current is not null)
            _retired.Add(current);
        var wait = new SpinWait();
        while (Volatile.Read(ref _readers) != 0)
            wait.SpinOnce();
        foreach (View view in _retired)
            _ = LinuxNative.MUnmap(view.Address, (nuint)view.Length);
        _retired.Clear();
        _mappedEnd = 0;
    }

    private sealed record View(nint Address, long Length);
}
