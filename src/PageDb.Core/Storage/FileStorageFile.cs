using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// One open real file of <see cref="FileStorage"/>. Reads and writes are positional (pread/pwrite through
/// <see cref="RandomAccess"/>), so any number of threads may use the file at once.
/// </summary>
internal sealed class FileStorageFile : IStorageFile
{
    private readonly SafeFileHandle _handle;
    private readonly string _fullPath;

    // Protects _holdsLock and _disposed, so a lock is never registered for a file being disposed.
    private readonly Lock _stateGate = new();
    private bool _holdsLock;
    private bool _disposed;

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

    public int Read(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
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
