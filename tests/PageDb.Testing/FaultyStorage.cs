namespace PageDb.Testing;

/// <summary>
/// Wraps a storage to fail writes or syncs on demand (as <see cref="PageDbIOException"/>, as the storage contract
/// says), count writes and syncs, and run a hook inside a read (to interleave a writer step with a reader's I/O
/// deterministically). Simple on purpose: crash modelling belongs to the fault-injecting storage.
/// </summary>
internal sealed class FaultyStorage(IStorage inner) : IStorage
{
    /// <summary>Writes that succeed before every later write throws; null = never fail.</summary>
    public int? WritesBeforeFailure { get; set; }

    /// <summary>When true, every sync throws.</summary>
    public bool FailSyncs { get; set; }

    /// <summary>When set, every write to the file of this path throws (as <see cref="PageDbIOException"/>); null = none.</summary>
    public string? FailWritesTo { get; set; }

    /// <summary>Runs before every write, with the file's path, on the writing thread (to see which thread writes what).</summary>
    public Action<string>? BeforeWrite { get; set; }

    /// <summary>
    /// Runs before every sync, with the file's path and whether the sync includes metadata, on the syncing thread (to
    /// hold a sync in flight while other threads go on, or to fail it at the moment a test chooses).
    /// </summary>
    public Action<string, bool>? BeforeSync { get; set; }

    /// <summary>Runs (once, then cleared) at the start of the next read at or after <see cref="HookOffset"/>.</summary>
    public Action? OnNextHookedRead { get; set; }

    /// <summary>Reads at or after this offset trigger <see cref="OnNextHookedRead"/>.</summary>
    public long HookOffset { get; set; }

    /// <summary>
    /// Runs after every read, with the file's path, the offset and the bytes read, on the reading thread (to let a
    /// writer step in just after a reader found where a file ends).
    /// </summary>
    public Action<string, long, int>? AfterRead { get; set; }

    /// <summary>
    /// Runs after every read, with the file's path, the offset and the bytes read, which it may change: to tear a read
    /// as a write running beside it would (the new bytes of one part, the old of another).
    /// </summary>
    public ReadTamper? TamperRead { get; set; }

    /// <summary>Changes <paramref name="bytes"/>, just read from <paramref name="path"/> at <paramref name="offset"/>.</summary>
    public delegate void ReadTamper(string path, long offset, Span<byte> bytes);

    /// <summary>Writes that succeeded.</summary>
    public int Writes { get; private set; }

    /// <summary>Syncs that succeeded (Interlocked: syncs of a group commit run beside the writer's writes).</summary>
    public int Syncs => Volatile.Read(ref _syncs);

    private int _syncs;

    /// <summary>Of <see cref="Syncs"/>, those that included the metadata (a file's size).</summary>
    public int FullSyncs => Volatile.Read(ref _fullSyncs);

    private int _fullSyncs;

    /// <summary>Syncs that were made to fail.</summary>
    public int FailedSyncs { get; private set; }

    public IStorageFile Open(string path, StorageOpenMode mode) => new File(this, inner.Open(path, mode));
    public bool Exists(string path) => inner.Exists(path);
    public void Delete(string path) => inner.Delete(path);
    public void SyncDirectory(string path) => inner.SyncDirectory(path);

    private sealed class File(FaultyStorage owner, IStorageFile inner) : IStorageFile
    {
        public string Path => inner.Path;
        public long Length => inner.Length;

        public int Read(long offset, Span<byte> destination)
        {
            if (offset >= owner.HookOffset && owner.OnNextHookedRead is { } hook)
            {
                owner.OnNextHookedRead = null;
                hook();
            }
            int read = inner.Read(offset, destination);
            owner.TamperRead?.Invoke(inner.Path, offset, destination[..read]);
            owner.AfterRead?.Invoke(inner.Path, offset, read);
            return read;
        }

        public void Write(long offset, ReadOnlySpan<byte> source)
        {
            owner.BeforeWrite?.Invoke(inner.Path);
            if (owner.Writes >= owner.WritesBeforeFailure || owner.FailWritesTo == inner.Path)
                throw new PageDbIOException(inner.Path, "Write", new IOException("injected write failure"));
            owner.Writes++;
            inner.Write(offset, source);
        }

        public void Sync(bool includeMetadata = false)
        {
            owner.BeforeSync?.Invoke(inner.Path, includeMetadata);
            if (owner.FailSyncs)
            {
                owner.FailedSyncs++;
                throw new PageDbIOException(inner.Path, "Sync", new IOException("injected sync failure"));
            }
            Interlocked.Increment(ref owner._syncs);
            if (includeMetadata)
                Interlocked.Increment(ref owner._fullSyncs);
            inner.Sync(includeMetadata);
        }

        public void SetLength(long length) => inner.SetLength(length);
        public bool TryLockExclusive() => inner.TryLockExclusive();
        public void Dispose() => inner.Dispose();
    }
}
