namespace PageDb;

/// <summary>
/// <see cref="IStorage"/> in memory: each path names a growable byte array. Nothing is ever lost (a sync is a no-op),
/// so it models a perfect disk; the fault-injecting storage in the tests models a real one. Writer locks are tracked
/// per path, exactly like a real file's. Thread-safe.
/// </summary>
public sealed class MemoryStorage : IStorage
{
    // Protects _files: the path -> contents map (not the contents, which have their own lock).
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemoryFileData> _files = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public IStorageFile Open(string path, StorageOpenMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown open mode");
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out MemoryFileData? data))
            {
                if (mode != StorageOpenMode.CreateIfMissing)
                    throw new FileNotFoundException($"The file '{path}' does not exist.", path);
                data = new MemoryFileData();
                _files.Add(path, data);
            }
            return new MemoryStorageFile(path, data, isReadOnly: mode == StorageOpenMode.ReadOnly);
        }
    }

    /// <inheritdoc/>
    public bool Exists(string path)
    {
        lock (_gate)
            return _files.ContainsKey(path);
    }

    /// <summary>
    /// Removes the file. Files still open keep their contents (like an unlinked file on Unix), and a new file created at
    /// the same path is a different file.
    /// </summary>
    public void Delete(string path)
    {
        lock (_gate)
            _files.Remove(path);
    }

    /// <inheritdoc/>
    public void SyncDirectory(string path) => ArgumentException.ThrowIfNullOrEmpty(path);

    /// <summary>The current bytes of the file at <paramref name="path"/> (a copy), for tests that inspect or damage files.</summary>
    public byte[] GetContents(string path)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out MemoryFileData? data))
                throw new FileNotFoundException($"The file '{path}' does not exist.", path);
            return data.ToArray();
        }
    }

    /// <summary>Replaces the bytes of the file at <paramref name="path"/>, creating it when missing: for tests that plant damaged or foreign files.</summary>
    public void SetContents(string path, ReadOnlySpan<byte> contents)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out MemoryFileData? data))
                _files[path] = data = new MemoryFileData();
            data.SetLength(0);
            data.Write(0, contents);
        }
    }
}
