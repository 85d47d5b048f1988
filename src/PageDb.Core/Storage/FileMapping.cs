using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// A read-only shared memory mapping of one file (mmap, PROT_READ, MAP_SHARED), so a read that the mapping covers is a
/// copy out of the OS page cache instead of a pread system call, or no copy at all: a page lent in place
/// (<see cref="TryLend"/>, the database file's in-place reads, <see cref="PageDb.Core.Paging.InPlacePages"/>). Writes
/// still go through pwrite; on Linux the page cache is one, so the mapping sees them at once.
/// </summary>
/// <remarks>
/// <para>The danger: touching a mapped byte past the file's end raises SIGBUS, which kills a .NET process. So:</para>
/// <list type="number">
/// <item>A view never reaches past the file's length when it is mapped (<see cref="TryGrow"/> maps exactly the length
/// fstat gives), and a read or a loan is served only when it lies wholly inside the view it read.</item>
/// <item>Only the owner may shrink the file, and only through <see cref="UnmapBeforeSetLength"/>, which holds the gate
/// across the change. Before the length changes it replaces, in every mapped region, the file pages past the new
/// length with anonymous zero pages (mmap MAP_FIXED, one atomic step for the kernel), and publishes the readers' view
/// cut to the new length. A reader still inside a region, or holding a page lent from it, therefore never faults: it
/// reads the file's bytes or zeros, never a page past the file's end. (By the in-place invariant no reader holds a
/// page the shrink cuts; the zeros keep a broken invariant, or a hostile file, from killing the process.)</item>
/// <item>A region is unmapped only when no reader can be inside it: once it is no longer the published view and the
/// reader counter (<c>_readers</c>: readers inside a copy, and pages lent and not yet returned) is seen at zero after
/// the unpublishing. A reader counts itself in before it reads <c>_view</c>; both sides use full fences
/// (Interlocked), so either the reader sees the new view or the unmapper sees the reader (the Dekker pattern). Nobody
/// waits for readers: a lent page may be held for a whole read transaction, also by the thread that shrinks or closes.
/// Regions not yet unmapped are tried again at the next shrink, growth or close.</item>
/// <item>No other writer may shrink the file: the mapping is made only by an owner holding the database's exclusive
/// writer lock (no other PageDb process or instance can then write the file), never by a read-only open, which runs
/// beside another process's writer and reads with pread. A program outside PageDb that truncates a live database file
/// kills the process, as it does SQLite's with mmap_size set.</item>
/// <item>A growing file is mapped again (a new, longer view) when a read falls past the current view and the file has
/// grown by a quarter; until then such reads fall back to pread. Whether it has grown is first judged from the extent
/// the owner reports (<see cref="NoteExtent"/>: only the owner writes the file), so those reads take neither the gate
/// nor an fstat; the view itself is still mapped only to the length fstat gives. Replaced regions stay mapped until
/// no reader is inside one (rule 3): with moments when no page is lent and no shrink, at most the sum of a geometric
/// series of address space; readers that always hold a loan keep every replaced region mapped, and each shrink
/// followed by a growth maps a region of the file's size again (loans are counted for the whole mapping, not per
/// region).</item>
/// <item>The close (<see cref="Dispose"/>) turns every region still in use into anonymous zero pages, so no mapping
/// keeps the file (and its writer lock) open after its descriptor closes, and a page lent past the close reads zeros;
/// such regions stay reserved (address space only) for the process's life.</item>
/// <item>A disk error under a mapped page also raises SIGBUS where pread would throw; PageDbOptions.MemoryMappedReads
/// turns the mapping off for those who would rather see the exception.</item>
/// </list>
/// <para>Threads: <see cref="TryRead"/>, <see cref="TryLend"/> and <see cref="Return"/> from any number of threads;
/// <see cref="UnmapBeforeSetLength"/> and <see cref="Dispose"/> from the file's owner.</para>
/// </remarks>
internal sealed unsafe class FileMapping : IDisposable
{
    private static readonly nint MapFailed = -1; // MAP_FAILED

    private readonly SafeFileHandle _handle;
    private readonly Lock _gate = new(); // guards _regions, _disposed and every mmap/munmap; held across a shrink
    private readonly List<Region> _regions = []; // every mapped region: the view's and those replaced, until unmapped
    private View? _view;    // the view readers use: published and unpublished with Interlocked, read after counting in
    private int _readers;   // readers inside a copy, plus pages lent and not returned (rule 3)
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

    /// <summary>Regions still mapped (the view's and replaced ones not yet unmapped). For tests.</summary>
    public int RegionCount
    {
        get
        {
            lock (_gate)
                return _regions.Count;
        }
    }

    /// <summary>Copies <c>destination.Length</c> bytes at <paramref name="offset"/> from the mapping; false when the mapping does not cover them.</summary>
    public bool TryRead(long offset, Span<byte> destination)
    {
        if (!TryLend(offset, destination.Length, out nint address))
            return false;
        try
        {
            new ReadOnlySpan<byte>((byte*)address, destination.Length).CopyTo(destination);
        }
        finally
        {
            Return();
        }
        return true;
    }

    /// <summary>
    /// Lends the <paramref name="length"/> mapped bytes at <paramref name="offset"/>: <paramref name="address"/> stays
    /// readable (the file's bytes, or zeros once a shrink or the close took them: rules 2 and 6) until
    /// <see cref="Return"/>. False when the mapping does not cover them (nothing to return then).
    /// </summary>
    public bool TryLend(long offset, int length, out nint address) =>
        TryLendCovered(offset, length, out address) || (TryGrow(offset + length) && TryLendCovered(offset, length, out address));

    /// <summary>Ends one loan of <see cref="TryLend"/>.</summary>
    public void Return() => Interlocked.Decrement(ref _readers);

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
    /// Enters the gate and, when <paramref name="newLength"/> is shorter than a mapped region, replaces the region's
    /// file pages past it with zero pages and cuts the readers' view to it (rule 2). Dispose the result after the
    /// length has changed: until then no view is mapped again.
    /// </summary>
    /// <exception cref="IOException">The kernel refused to replace a region's pages (the length must then not change).</exception>
    public Lock.Scope UnmapBeforeSetLength(long newLength)
    {
        Lock.Scope scope = _gate.EnterScope();
        try
        {
            long keep = AlignUp(Math.Max(newLength, 0));
            foreach (Region region in _regions)
                region.ReleaseFileBeyond(keep);
            View? view = Volatile.Read(ref _view);
            if (view is not null && view.Length > newLength)
                Interlocked.Exchange(ref _view, newLength > 0 ? view with { Length = newLength } : null);
            UnmapUnusedLocked();
            Volatile.Write(ref _knownEnd, newLength);
            return scope;
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps every region no reader is in and turns the rest into zero pages (rule 6); later reads are not served (callers fall back to pread).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            Interlocked.Exchange(ref _view, null);
            if (Volatile.Read(ref _readers) == 0)
            {
                UnmapLocked(_regions);
                return;
            }
            foreach (Region region in _regions)
                region.ReleaseFileBeyond(0);
            _regions.Clear(); // in use: reserved for the process's life, holding no file
        }
    }

    private bool TryLendCovered(long offset, int length, out nint address)
    {
        Interlocked.Increment(ref _readers);
        View? view = Volatile.Read(ref _view);
        if (view is null || offset < 0 || offset > view.Length - length)
        {
            Interlocked.Decrement(ref _readers);
            address = 0;
            return false;
        }
        address = view.Address + (nint)offset;
        return true;
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
            bool mapped = MapLocked(length);
            UnmapUnusedLocked();
            return mapped;
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
        _regions.Add(new Region(address, AlignUp(length)));
        Interlocked.Exchange(ref _view, new View(address, length));
        return true;
    }

    /// <summary>Unmaps every region but the view's when no reader is counted in (rule 3: the view was exchanged before).</summary>
    private void UnmapUnusedLocked()
    {
        nint inView = Volatile.Read(ref _view)?.Address ?? 0;
        if (_regions.Count == (inView == 0 ? 0 : 1) || Volatile.Read(ref _readers) != 0)
            return;
        for (int i = _regions.Count - 1; i >= 0; i--)
        {
            if (_regions[i].Address == inView)
                continue;
            _ = LinuxNative.MUnmap(_regions[i].Address, (nuint)_regions[i].Length);
            _regions.RemoveAt(i);
        }
    }

    private static void UnmapLocked(List<Region> regions)
    {
        foreach (Region region in regions)
            _ = LinuxNative.MUnmap(region.Address, (nuint)region.Length);
        regions.Clear();
    }

    private static long AlignUp(long length)
    {
        long page = Environment.SystemPageSize;
        return (length + page - 1) / page * page;
    }

    /// <summary>What readers see: the start of a region and how many bytes of it they may read.</summary>
    private sealed record View(nint Address, long Length);

    /// <summary>One mmap, unmapped whole: <see cref="FileBacked"/> bytes of it still show the file, the rest zeros.</summary>
    private sealed class Region(nint address, long length)
    {
        public nint Address { get; } = address;

        public long Length { get; } = length;

        public long FileBacked { get; private set; } = length;

        /// <summary>Replaces the file pages at <paramref name="keep"/> (page aligned) and past with zero pages.</summary>
        public void ReleaseFileBeyond(long keep)
        {
            if (keep >= FileBacked)
                return;
            nint result = LinuxNative.MMapAnonymous(Address + (nint)keep, (nuint)(FileBacked - keep), LinuxNative.ProtRead,
                LinuxNative.MapPrivate | LinuxNative.MapFixed | LinuxNative.MapAnonymous, -1, 0);
            if (result == MapFailed)
                throw new IOException($"mmap refused to release a mapped range of the file: {LinuxNative.LastErrorMessage(Marshal.GetLastPInvokeError())}");
            FileBacked = keep;
        }
    }
}
