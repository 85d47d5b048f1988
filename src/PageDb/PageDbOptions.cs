namespace PageDb;

/// <summary>How <see cref="PageDatabase.Open(string, PageDbOptions?)"/> opens or creates a database.</summary>
public sealed class PageDbOptions
{
    /// <summary>Page size in bytes, used only when creating a file: a power of two from 4096 to 65536. Default 4096.</summary>
    public int PageSize { get; init; } = 4096;

    /// <summary>The buffer pool's size in bytes. Default 64 MiB.</summary>
    public long CacheSizeBytes { get; init; } = 64L << 20;

    /// <summary>When commits reach the disk. Default <see cref="Durability.Full"/>.</summary>
    public Durability Durability { get; init; } = Durability.Full;

    /// <summary>An automatic checkpoint runs after a commit leaves the WAL larger than this. Default 4 MiB.</summary>
    public long CheckpointThresholdBytes { get; init; } = 4L << 20;

    /// <summary>
    /// Open without writing anything; the file must exist. Default false. Beside a writer in another process, the open
    /// takes a reader slot in the <c>-shm</c> file and reads the snapshot of the writer's last commit when it opened for
    /// its whole life (reopen to see later commits); README, "Many processes".
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Create the database when the file is missing. Default true.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>
    /// Store WAL frames zstd-compressed when that makes them smaller. Default false: it shrinks the WAL several times
    /// over but costs CPU on every commit and on every read of a frame the cache does not hold (figures in
    /// docs/benchmarks.md). Worth it when WAL size or checkpoint frequency is the limit.
    /// </summary>
    public bool CompressWal { get; init; }

    /// <summary>
    /// Read database-file pages by copying them from a read-only memory mapping of the file instead of one pread system
    /// call each, on Linux, for a database opened for writing. Default true: a cache miss costs a copy instead of a
    /// system call (figures in docs/benchmarks.md). Every page is still verified (checksum, page number, layout) on each
    /// load, WAL pages still come from the WAL, and read-only opens always use pread (another process's writer may shrink
    /// the file). Set false when a disk error should surface as <see cref="PageDbIOException"/>: under a mapping the OS
    /// reports it as SIGBUS, which ends the process; the same happens if a program outside PageDb truncates the open file.
    /// </summary>
    public bool MemoryMappedReads { get; init; } = true;

    /// <summary>Where the files live; null means real files. Tests pass memory or fault-injecting storage.</summary>
    public IStorage? Storage { get; init; }

    /// <summary>
    /// Continuous replication to a replica store (PageDb.Replication's <c>ReplicationOptions</c>): a snapshot, then the
    /// committed changes in segments, shipped in the background. Null (default) for none; ignored when read-only.
    /// </summary>
    public IDatabaseReplication? Replication { get; init; }

    /// <summary>
    /// How long <see cref="PageDatabase.BeginWrite"/> waits for another write transaction to finish, and how long a
    /// read-only open beside another process's writer waits for that writer (to end a checkpoint, to publish a commit,
    /// or to stop switching its log files while the open reads them) before it throws
    /// <see cref="DatabaseLockedException"/>. Each of a read-only open's waits is up to this long, so one open can wait
    /// several times over: for a checkpoint, for a publication, and for its recovery's retries. Default 30 seconds.
    /// </summary>
    public TimeSpan WriteLockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs first when the database is disposed, before the final checkpoint; the files close even when it throws.
    /// Internal: the engine's tests set it to run <see cref="PageDatabase.CheckIntegrity"/> on every test database
    /// (as bbolt's test helper does).
    /// </summary>
    internal Action<PageDatabase>? BeforeDispose { get; init; }

    internal void Validate()
    {
        if (PageSize < 4096 || PageSize > 65536 || (PageSize & (PageSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, "PageSize must be a power of two from 4096 to 65536.");
        if (CacheSizeBytes < 16L * PageSize)
            throw new ArgumentOutOfRangeException(nameof(CacheSizeBytes), CacheSizeBytes, $"CacheSizeBytes must hold at least 16 pages ({16L * PageSize} bytes).");
        if (!Enum.IsDefined(Durability))
            throw new ArgumentOutOfRangeException(nameof(Durability), Durability, "Unknown durability level.");
        if (CheckpointThresholdBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(CheckpointThresholdBytes), CheckpointThresholdBytes, "CheckpointThresholdBytes must be positive.");
        if (WriteLockTimeout < TimeSpan.Zero && WriteLockTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(WriteLockTimeout), WriteLockTimeout, "WriteLockTimeout must be non-negative or infinite.");
    }

    /// <summary>
    /// Copies the older log file into the database file on a background thread instead of in the committing thread,
    /// so a commit never waits for the copy. On by default; internal, so that a test can run the copy in the committing
    /// thread (a deterministic order of I/O calls).
    /// </summary>
    internal bool BackgroundCheckpoints { get; init; } = true;

    /// <summary>
    /// Which OS locks keep processes apart; null (default) for this platform's (<see cref="Engine.Sharing.ProcessLocks.Current"/>).
    /// Internal, so that the tests run another platform's path where its locks exist too (macOS's flock path on Linux).
    /// </summary>
    internal Engine.Sharing.ProcessLockKind? ProcessLocks { get; init; }

    /// <summary>
    /// Whether the database's directory is on a network file system; null (default) to ask the file system
    /// (<see cref="Engine.Sharing.FileSystems.Of"/>). Internal, so that the tests run the network path on a local disk.
    /// </summary>
    internal Engine.Sharing.FileSystemKind? FileSystem { get; init; }
}
