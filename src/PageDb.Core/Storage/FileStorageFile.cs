using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// One open real file of <see cref="FileStorage"/>. Reads and writes are positional (pread/pwrite through
/// <see cref="RandomAccess"/>), so any number of threads may use the file at once. After <see cref="MapForReading"/>,
/// reads the mapping covers are copied from it instead (<see cref="FileMapping"/>, whose rules this file keeps: every
/// length change and the close go through the mapping first).
/// <para>
/// Sync lanes. Two syncs may run at once (a group commit's two leaders, or a leader and the background checkpointer):
/// on Linux each runs on its own open file description, the file's own or a second one opened through
/// <c>/proc/self/fd</c> at the file's first sync (a third waits for a free one). Linux reports a write-back error to
/// each open file description once, at its next sync; two syncs on one description could therefore split an error
/// between them, and the one that did not get it would return success for writes the error took. On its own lane each
/// sync sees every error since that lane's previous sync, which ended before it began. And once a sync of the file
/// failed, every later one fails (at its start, or at its end when the failure came while it ran), so a success is
/// never trusted after a failure on the other lane.
/// </para>
/// </summary>
internal sealed class FileStorageFile : IStorageFile
{
    private readonly SafeFileHandle _handle;
    private readonly string _fullPath;

    // Protects _holdsLock and _disposed, so a lock is never registered for a file being disposed.
    private readonly Lock _stateGate = new();
    private bool _holdsLock;
    private bool _disposed;
    private FileMapping? _mapping; // set once by MapForReading, before the file is shared between threads

    // Sync lanes (see the type). Protects _spareLane, _busyLanes; waiters for a lane wait on it.
    private readonly object _laneGate = new();
    private SafeFileHandle? _spareLane; // opened at the first sync on Linux; null elsewhere, or when /proc is missing
    private bool _spareLaneOpened;
    private int _busyLanes; // bit 0: _handle, bit 1: _spareLane
    private volatile bool _syncFailed;

    public FileStorageFile(string path, string fullPath, SafeFileHandle handle)
    {
        Path = path;
        _fullPath = fullPath;
        _handle = handle;
    }

    public string Path { get; }

    public long Length
    {
        get
        {
            try
            {
                return RandomAccess.GetLength(_handle);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure("length", e);
            }
        }
    }

    /// <summary>True when reads are served from a memory mapping (<see cref="MapForReading"/>).</summary>
    public bool IsMapped => _mapping is not null;

    /// <summary>The mapping reads are served from, or null (<see cref="MapForReading"/>).</summary>
    public FileMapping? Mapping => _mapping;

    /// <summary>
    /// Serves later reads from a read-only memory mapping of the file where it covers them. Only for the holder of the
    /// exclusive writer lock (see <see cref="FileMapping"/>: nobody else may then shrink the file), and only on Linux;
    /// elsewhere, or when mmap fails, reads stay pread. Call before the file is shared between threads.
    /// </summary>
    public void MapForReading()
    {
        if (!_holdsLock)
            ThrowHelper.ThrowInvalidOperation("only the holder of the writer lock may map the file: another writer could truncate it under the mapping");
        if (_mapping is null && LinuxNative.IsSupported)
            _mapping = new FileMapping(_handle);
    }

    public int Read(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (_mapping is not null && _mapping.TryRead(offset, destination))
            return destination.Length;
        int total = 0;
        try
        {
            while (total < destination.Length)
            {
                int read = RandomAccess.Read(_handle, destination[total..], offset + total);
                if (read == 0)
                    break;
                total += read;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("read", e);
        }
        return total;
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        try
        {
            RandomAccess.Write(_handle, source, offset);
            _mapping?.NoteExtent(offset + source.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Failure("write", e);
        }
    }

    public void Sync(bool includeMetadata = false)
    {
        string operation = includeMetadata ? "fsync" : "fdatasync";
        ThrowIfSyncFailed(operation);
        SafeFileHandle lane = TakeSyncLane();
        int result;
        try
        {
            result = SyncOnce(lane, includeMetadata);
            if (result != 0)
                _syncFailed = true;
        }
#pragma warning disable CA1031 // Any exception out of a sync means the data may not be durable: all are fatal alike.
        catch (Exception e) when (e is not ObjectDisposedException)
#pragma warning restore CA1031
        {
            _syncFailed = true;
            throw Failure(operation, e);
        }
        finally
        {
            ReturnSyncLane(lane);
        }
        if (result != 0)
            throw new PageDbIOException(Path, $"{operation} failed on '{Path}': {LinuxNative.LastErrorMessage(result)}");
        // A sync on the other lane failed while this one ran: it may have taken a write-back error of this one's writes.
        ThrowIfSyncFailed(operation);
    }

    private void ThrowIfSyncFailed(string operation)
    {
        if (_syncFailed)
            throw new PageDbIOException(Path, $"{operation} refused on '{Path}': an earlier sync of the file failed, so a success could not be trusted.");
    }

    /// <summary>A free sync lane (see the type), waiting while both are busy; the file's own handle where there are no lanes.</summary>
    private SafeFileHandle TakeSyncLane()
    {
        if (!LinuxNative.IsSupported)
            return _handle;
        lock (_laneGate)
        {
            if (!_spareLaneOpened)
            {
                _spareLaneOpened = true;
                _spareLane = OpenSpareLane();
            }
            while (true)
            {
                if ((_busyLanes & 1) == 0)
                {
                    _busyLanes |= 1;
                    return _handle;
                }
                if (_spareLane is not null && (_busyLanes & 2) == 0)
                {
                    _busyLanes |= 2;
                    return _spareLane;
                }
                Monitor.Wait(_laneGate);
            }
        }
    }

    private void ReturnSyncLane(SafeFileHandle lane)
    {
        if (!LinuxNative.IsSupported)
            return;
        lock (_laneGate)
        {
            _busyLanes &= lane == _handle ? ~1 : ~2;
            Monitor.Pulse(_laneGate);
        }
    }

    /// <summary>A second open file description of this file, read-only (enough for a sync), or null when none can be opened: syncs then take turns.</summary>
    private SafeFileHandle? OpenSpareLane()
    {
        int fd;
        do
            fd = LinuxNative.Open($"/proc/self/fd/{_handle.DangerousGetHandle()}", LinuxNative.ORdOnly | LinuxNative.OCloExec, 0);
        while (fd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LinuxNative.EIntr);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_mapping is null)
        {
            SetLengthUnmapped(length);
            return;
        }
        Lock.Scope unmapped;
        try
        {
            unmapped = _mapping.UnmapBeforeSetLength(length);
        }
        catch (IOException e)
        {
            throw Failure("truncate", e);
        }
        using (unmapped)
            SetLengthUnmapped(length);
    }

    private void SetLengthUnmapped(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Failure("truncate", e);
        }
    }

    public bool TryLockExclusive()
    {
        lock (_stateGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_holdsLock)
                return true;
            _holdsLock = FileLockRegistry.TryAcquire(_fullPath, TakeOsLock);
            return _holdsLock;
        }
    }

    public void Dispose()
    {
        lock (_stateGate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _mapping?.Dispose();
            // Close first: closing the descriptor drops the flock, and only then may another file of this process take it.
            _handle.Dispose();
            lock (_laneGate)
                _spareLane?.Dispose();
            if (_holdsLock)
                FileLockRegistry.Release(_fullPath);
        }
    }

    /// <summary>Runs one sync on <paramref name="lane"/>; returns 0 or the errno of a failed native sync.</summary>
    private static int SyncOnce(SafeFileHandle lane, bool includeMetadata)
    {
        if (!LinuxNative.IsSupported)
        {
            RandomAccess.FlushToDisk(lane);
            return 0;
        }
        int rc = includeMetadata ? LinuxNative.FSync(lane) : LinuxNative.FDataSync(lane);
        return rc == 0 ? 0 : Math.Max(1, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
    }

    /// <summary>flock(LOCK_EX|LOCK_NB): false when another descriptor holds it; other failures (no lock support) throw.</summary>
    private bool TakeOsLock()
    {
        if (!LinuxNative.IsSupported)
            return true; // the registry alone: only in-process exclusion on these platforms
        while (LinuxNative.FLock(_handle, LinuxNative.LockExclusive | LinuxNative.LockNonBlocking) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno == LinuxNative.EWouldBlock)
                return false;
            if (errno != LinuxNative.EIntr)
                throw new PageDbIOException(Path, $"flock failed on '{Path}' (the file system may not support locks; PageDb refuses to write without one): {LinuxNative.LastErrorMessage(errno)}");
        }
        return true;
    }

    private PageDbIOException Failure(string operation, Exception inner) => new(Path, operation, inner);
}
