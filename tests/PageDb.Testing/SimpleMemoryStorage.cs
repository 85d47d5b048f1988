namespace PageDb.Testing;

/// <summary>
/// A minimal in-memory <see cref="IStorage"/> for the WAL tests until Core's MemoryStorage lands (the integrator
/// replaces this with it). Files are byte arrays under a lock each; syncs do nothing; a test can read and replace a
/// file's bytes to model truncation and damage.
/// </summary>
public sealed class SimpleMemoryStorage : IStorage
{
    private readonly Dictionary<string, FileData> _files = [];

    /// <inheritdoc/>
    public IStorageFile Open(string path, StorageOpenMode mode)
    {
        lock (_files)
        {
            if (!_files.TryGetValue(path, out FileData? data))
            {
                if (mode != StorageOpenMode.CreateIfMissing)
                    throw new FileNotFoundException("no such file", path);
                data = new FileData();
                _files[path] = data;
            }
            return new File(path, data, mode == StorageOpenMode.ReadOnly);
        }
    }

    /// <inheritdoc/>
    public bool Exists(string path)
    {
        lock (_files)
            return _files.ContainsKey(path);
    }

    /// <inheritdoc/>
    public void Delete(string path)
    {
        lock (_files)
            _files.Remove(path);
    }

    /// <inheritdoc/>
    public void SyncDirectory(string path) { }

    /// <summary>A copy of the file's bytes.</summary>
    public byte[] GetContents(string path)
    {
        lock (_files)
            return _files[path].ToArray();
    }

    /// <summary>Replaces the file's bytes (creating it when missing).</summary>
    public void SetContents(string path, ReadOnlySpan<byte> contents)
    {
        lock (_files)
        {
            if (!_files.TryGetValue(path, out FileData? data))
                _files[path] = data = new FileData();
            data.SetLength(0);
            data.Write(0, contents);
        }
    }

    /// <summary>One file's bytes; <c>_lock</c> protects <see cref="_bytes"/> and <see cref="_length"/>.</summary>
    private sealed class FileData
    {
        private readonly Lock _lock = new();
        private byte[] _bytes = [];
        private long _length;

        public long Length
        {
            get
            {
                lock (_lock)
                    return _length;
            }
        }

        public int Read(long offset, Span<byte> destination)
        {
            lock (_lock)
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
            lock (_lock)
            {
                long end = offset + source.Length;
                EnsureCapacity(end);
                source.CopyTo(_bytes.AsSpan((int)offset));
                _length = Math.Max(_length, end);
            }
        }

        public void SetLength(long length)
        {
            lock (_lock)
            {
                EnsureCapacity(length);
                if (length < _length)
                    _bytes.AsSpan((int)length, (int)(_length - length)).Clear();
                _length = length;
            }
        }

        public byte[] ToArray()
        {
            lock (_lock)
                return _bytes.AsSpan(0, (int)_length).ToArray();
        }

        private void EnsureCapacity(long length)
        {
            if (length > _bytes.Length)
                Array.Resize(ref _bytes, (int)Math.Max(length, _bytes.Length * 2L));
        }
    }

    private sealed class File(string path, FileData data, bool isReadOnly) : IStorageFile
    {
        public string Path { get; } = path;

        public long Length => data.Length;

        public int Read(long offset, Span<byte> destination) => data.Read(offset, destination);

        public void Write(long offset, ReadOnlySpan<byte> source)
        {
            if (isReadOnly)
                throw new PageDbIOException(Path, "the file is open read-only");
            data.Write(offset, source);
        }

        public void Sync(bool includeMetadata = false) { }

        public void SetLength(long length) => data.SetLength(length);

        public bool TryLockExclusive() => true;

        public void Dispose() { }
    }
}
