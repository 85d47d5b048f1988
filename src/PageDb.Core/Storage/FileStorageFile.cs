using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// One open real file of <see cref="FileStorage"/>. Reads and writes are positional (pread/pwrite through
/// <see cref="RandomAccess"/>), so any number of threads may use the file at once. After <see cref="MapForReading"/>,
/// reads the mapping covers are copied from it instead (<see cref="FileMapping"/>, whose rules this file keeps: every
/// length change and the close go through the mapping first).
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
        int result;
        try
        {
            result = SyncOnce(includeMetadata);
        }
#pragma warning disable CA1031 // Any exception out of a sync means the data may not be durable: all are fatal alike.
        catch (Exception e) when (e is not ObjectDisposedException)
#pragma warning restore CA1031
        {
            throw Failure(operation, e);
        }
        if (result != 0)
            throw new PageDbIOException(Path, $"{operation} failed on '{Path}': {LinuxNative.LastErrorMessage(result)}");
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_mapping is not null)
        {
            using (_mapping.UnmapBeforeSetLength(length))
                SetLengthUnmapped(length);
            return;
        }
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
            if (_holdsLock)
                FileLockRegistry.Release(_fullPath);
        }
    }

    /// <summary>Runs one sync; returns 0 or the errno of a failed native sync.</summary>
    private int SyncOnce(bool includeMetadata)
    {
        if (!LinuxNative.IsSupported)
        {
            RandomAccess.FlushToDisk(_handle);
            return 0;
        }
        int rc = includeMetadata ? LinuxNative.FSync(_handle) : LinuxNative.FDataSync(_handle);
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
