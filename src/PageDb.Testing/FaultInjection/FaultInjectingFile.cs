namespace PageDb.Testing.FaultInjection;

/// <summary>
/// A handle on a <see cref="SimulatedFile"/> of <see cref="FaultInjectingStorage"/>. Every call goes through the
/// storage's numbering, crash and failure rules under the storage's lock. A handle from before a simulated crash is
/// dead: every call throws <see cref="SimulatedCrashException"/>, and disposing it releases nothing.
/// </summary>
internal sealed class FaultInjectingFile(FaultInjectingStorage storage, string path, SimulatedFile file, bool isReadOnly, int epoch) : IStorageFile
{
    private bool _disposed;

    public string Path => path;

    public long Length
    {
        get
        {
            lock (storage.Gate)
            {
                Check();
                storage.CountLengthQuery();
                return file.Length;
            }
        }
    }

    public int Read(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (storage.Gate)
        {
            Check();
            storage.BeginCall(IoCallKind.Read, path, epoch);
            return file.Read(offset, destination);
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (storage.Gate)
        {
            CheckWritable("write");
            bool crashesInFlight = storage.BeginCall(IoCallKind.Write, path, epoch);
            file.Write(offset, source);
            if (crashesInFlight)
                throw new SimulatedCrashException(storage.CrashedAtCall);
        }
    }

    public void Sync(bool includeMetadata = false)
    {
        lock (storage.Gate)
        {
            Check();
            try
            {
                storage.BeginCall(IoCallKind.Sync, path, epoch);
            }
            catch (PageDbIOException)
            {
                file.FailSync();
                throw;
            }
            file.Sync();
        }
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (storage.Gate)
        {
            CheckWritable("truncate");
            storage.BeginCall(IoCallKind.SetLength, path, epoch);
            file.SetLength(length);
        }
    }

    public bool TryLockExclusive()
    {
        lock (storage.Gate)
        {
            Check();
            if (file.LockOwner is not null && !ReferenceEquals(file.LockOwner, this))
                return false;
            file.LockOwner = this;
            return true;
        }
    }

    public void Dispose()
    {
        lock (storage.Gate)
        {
            _disposed = true;
            if (epoch == storage.Epoch && ReferenceEquals(file.LockOwner, this))
                file.LockOwner = null;
        }
    }

    private void Check()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        storage.ThrowIfCrashed(epoch);
    }

    private void CheckWritable(string operation)
    {
        Check();
        if (isReadOnly)
            throw new PageDbIOException(path, $"{operation} failed on '{path}': the file was opened read-only");
    }
}
