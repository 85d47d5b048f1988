namespace PageDb;

/// <summary>
/// The contents of one <see cref="MemoryStorage"/> file, shared by every open file on it: a byte array that grows by
/// doubling, its logical length, and who holds the writer lock. Thread-safe.
/// </summary>
internal sealed class MemoryFileData
{
    // Protects _bytes, _length and _lockOwner.
    private readonly Lock _gate = new();
    private byte[] _bytes = [];
    private long _length;
    private object? _lockOwner;

    public long Length
    {
        get
        {
            lock (_gate)
                return _length;
        }
    }

    public int Read(long offset, Span<byte> destination)
    {
        lock (_gate)
        {
            if (offset >= _length)
                return 0;
            int count = (int)Math.Min(destination.Length, _length - offset);
            _bytes.AsSpan((int)offset, count).CopyTo(destination);
            return count;
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        lock (_gate)
        {
            long end = offset + source.Length;
            EnsureCapacity(end);
            source.CopyTo(_bytes.AsSpan((int)offset));
            _length = Math.Max(_length, end);
        }
    }

    public void SetLength(long length)
    {
        lock (_gate)
        {
            EnsureCapacity(length);
            if (length < _length)
                _bytes.AsSpan((int)length, (int)(_length - length)).Clear(); // so a later extension reads zeros
            _length = length;
        }
    }

    public bool TryLock(object owner)
    {
        lock (_gate)
        {
            if (_lockOwner is not null && !ReferenceEquals(_lockOwner, owner))
                return false;
            _lockOwner = owner;
            return true;
        }
    }

    public void Unlock(object owner)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_lockOwner, owner))
                _lockOwner = null;
        }
    }

    public byte[] ToArray()
    {
        lock (_gate)
            return _bytes.AsSpan(0, (int)_length).ToArray();
    }

    private void EnsureCapacity(long length)
    {
        if (length > Array.MaxLength)
            throw new PageDbIOException("(memory)", $"a memory file cannot grow past {Array.MaxLength} bytes (asked for {length})");
        if (length <= _bytes.Length)
            return;
        long capacity = Math.Max(length, Math.Min((long)_bytes.Length * 2, Array.MaxLength));
        Array.Resize(ref _bytes, (int)capacity);
    }
}
