namespace PageDb;

/// <summary>One open file of <see cref="MemoryStorage"/>: a handle on the shared contents. Thread-safe.</summary>
internal sealed class MemoryStorageFile : IStorageFile
{
    private readonly MemoryFileData _data;
    private readonly bool _isReadOnly;
    private volatile bool _disposed;

    public MemoryStorageFile(string path, MemoryFileData data, bool isReadOnly)
    {
        Path = path;
        _data = data;
        _isReadOnly = isReadOnly;
    }

    public string Path { get; }

    public long Length
    {
        get
        {
            ThrowIfDisposed();
            return _data.Length;
        }
    }

    public int Read(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ThrowIfDisposed();
        return _data.Read(offset, destination);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ThrowIfWriteRefused("write");
        _data.Write(offset, source);
    }

    public void Sync(bool includeMetadata = false) => ThrowIfDisposed();

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfWriteRefused("truncate");
        _data.SetLength(length);
    }

    public bool TryLockExclusive()
    {
        ThrowIfDisposed();
        return _data.TryLock(this);
    }

    public void Dispose()
    {
        _disposed = true;
        _data.Unlock(this);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfWriteRefused(string operation)
    {
        ThrowIfDisposed();
        if (_isReadOnly)
            throw new PageDbIOException(Path, $"{operation} failed on '{Path}': the file was opened read-only");
    }
}
