using System.Diagnostics;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine;
using PageDb.Records;
using PageDb.Wal;

namespace PageDb;

/// <summary>
/// An open PageDb database: one database file plus its write-ahead log (<c>name.pagedb-wal</c>), used in-process.
/// Thread-safe: begin transactions from any thread. One write transaction at a time; any number of readers.
/// </summary>
public sealed partial class PageDatabase : IDisposable, IAsyncDisposable
{
    private const string InMemoryPath = "memory.pagedb";

    private readonly StorageEngine _engine;

    // Shared by every transaction of this database; thread-safe.
    private readonly TableDefinitionCache _tableDefinitions = new();
    private int _disposed;
    private int _disposeStarted;

    // Set once in Open when PageDbOptions.Replication is given; stopped before the engine closes.
    private IReplicationSession? _replication;

    private PageDatabase(StorageEngine engine, string path)
    {
        _engine = engine;
        Path = path;
    }

    /// <summary>The database file's path.</summary>
    public string Path { get; }

    /// <summary>The options the database was opened with.</summary>
    public PageDbOptions Options => _engine.Options;

    /// <summary>
    /// Opens the database at <paramref name="path"/>, creating it when it is missing (unless
    /// <see cref="PageDbOptions.CreateIfMissing"/> is false), and recovers committed transactions from its WAL.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file is missing and may not be created.</exception>
    /// <exception cref="DatabaseLockedException">Another process or instance has the database open for writing; or, for a
    /// read-only open, every reader slot is taken, the <c>-shm</c> file cannot be written while the files may be changing, or
    /// the writing process kept switching its log files while the open read them.</exception>
    /// <exception cref="CorruptDatabaseException">The file is damaged.</exception>
    /// <exception cref="PageDbException">The file is not a PageDb database, or is of a newer format version.</exception>
    public static PageDatabase Open(string path, PageDbOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new PageDbOptions();
        options.Validate();
        StorageEngine engine = StorageEngine.Open(path, options);
        var database = new PageDatabase(engine, path);
        try
        {
            if (!options.ReadOnly)
            {
                database.EnsureCatalog();
                database._replication = options.Replication?.Start(database);
            }
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Opens a new, empty database that lives in memory only and vanishes when disposed.</summary>
    public static PageDatabase OpenInMemory(PageDbOptions? options = null)
    {
        options ??= new PageDbOptions();
        return Open(InMemoryPath, new PageDbOptions
        {
            PageSize = options.PageSize,
            CacheSizeBytes = options.CacheSizeBytes,
            Durability = options.Durability,
            CheckpointThresholdBytes = options.CheckpointThresholdBytes,
            WriteLockTimeout = options.WriteLockTimeout,
            CompressWal = options.CompressWal,
            Storage = new MemoryStorage(),
        });
    }

    /// <summary>
    /// Copies every readable row and key of the damaged database at <paramref name="damagedPath"/> into a new database
    /// at <paramref name="newPath"/>, looking at every page rather than only where the trees' links lead: tables keep
    /// their schema and indexes when the catalog is readable, leaves no tree reaches go back to the tree whose damaged
    /// part they fit, else to a lost-and-found tree. The damaged files are opened read-only and never changed.
    /// </summary>
    /// <param name="damagedPath">The damaged database (its WAL, when present and readable, is read too).</param>
    /// <param name="newPath">Where to create the new database; it must not exist.</param>
    /// <param name="options">Options for the new database; <see cref="PageDbOptions.Storage"/> serves both files.</param>
    /// <param name="readForeignWal">
    /// Read a sound WAL that names another database id than the file's sound header, taking the WAL's identity, as if
    /// the header's id were the damaged field. Off by default: opening the database ignores such a WAL as another
    /// database's, and salvage then reports it; run again with this set to salvage the WAL's view as a second candidate.
    /// </param>
    /// <returns>What was recovered and what could not be read.</returns>
    /// <exception cref="IOException"><paramref name="newPath"/> exists already.</exception>
    /// <exception cref="PageDbException">The damaged file holds no readable page.</exception>
    public static SalvageReport Salvage(string damagedPath, string newPath, PageDbOptions? options = null, bool readForeignWal = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(damagedPath);
        ArgumentException.ThrowIfNullOrEmpty(newPath);
        options ??= new PageDbOptions();
        if (options.ReadOnly)
            throw new ArgumentException("The new database cannot be read-only.", nameof(options));
        IStorage storage = options.Storage ?? FileStorage.Instance;
        if (storage.Exists(newPath))
            throw new IOException($"'{newPath}' exists already: salvage writes a new database.");
        return PageDb.Salvage.DatabaseSalvager.Run(storage, damagedPath, newPath, options, readForeignWal);
    }

    /// <summary>Begins a read transaction on the latest committed state.</summary>
    public ReadTransaction BeginRead()
    {
        ThrowIfDisposed();
        WalMark mark = _engine.Readers.Enter(_engine.Wal);
        SnapshotPages pages = _engine.ReadSnapshots.Get();
        pages.MoveTo(mark);
        return new ReadTransaction(_engine, pages, mark, _tableDefinitions);
    }

    /// <summary>
    /// Begins the write transaction, waiting up to <see cref="PageDbOptions.WriteLockTimeout"/> for the current one.
    /// </summary>
    /// <exception cref="TimeoutException">Another write transaction stayed open for longer than the timeout.</exception>
    /// <exception cref="InvalidOperationException">The database was opened read-only.</exception>
    /// <exception cref="PageDbIOException">An earlier write or sync failed; reopen the database to recover.</exception>
    public WriteTransaction BeginWrite()
    {
        ThrowIfDisposed();
        WriteCycle cycle = _engine.WriteCycles.Get();
        cycle.Begin();
        return new WriteTransaction(cycle, _tableDefinitions);
    }

    /// <summary>
    /// Begins the write transaction, waiting without blocking a thread up to <see cref="PageDbOptions.WriteLockTimeout"/>
    /// for the current one. The transaction may then be used from whichever thread continues after the await (one at a
    /// time). Cancelling before the writer slot is granted leaves no trace.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the slot was granted.</exception>
    /// <exception cref="TimeoutException">Another write transaction stayed open for longer than the timeout.</exception>
    /// <exception cref="InvalidOperationException">The database was opened read-only.</exception>
    /// <exception cref="PageDbIOException">An earlier write or sync failed; reopen the database to recover.</exception>
    public async Task<WriteTransaction> BeginWriteAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        WriteCycle cycle = _engine.WriteCycles.Get();
        await cycle.BeginAsync(cancellationToken).ConfigureAwait(false);
        return new WriteTransaction(cycle, _tableDefinitions);
    }

    /// <summary>
    /// Copies committed transactions from the WAL into the database file. <see cref="CheckpointMode.Passive"/> copies
    /// what no open reader still needs; <see cref="CheckpointMode.Full"/> first waits (up to
    /// <see cref="PageDbOptions.WriteLockTimeout"/>) for readers of older snapshots, in this process and in read-only
    /// opens of other processes; <see cref="CheckpointMode.Truncate"/>
    /// also shrinks the WAL file.
    /// </summary>
    /// <exception cref="TimeoutException">A Full or Truncate checkpoint waited longer than the timeout.</exception>
    public void Checkpoint(CheckpointMode mode = CheckpointMode.Passive)
    {
        ThrowIfDisposed();
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown checkpoint mode.");
        _engine.ThrowIfNotWritable();
        _engine.Gate.Enter(_engine.Options.WriteLockTimeout);
        try
        {
            if (!_engine.Checkpoint(mode, waitForReaderProcesses: true))
                throw new TimeoutException($"A {mode} checkpoint waited longer than {_engine.Options.WriteLockTimeout.TotalSeconds:0.###} s for readers of older snapshots (in this process or read-only opens of others).");
        }
        finally
        {
            _engine.Gate.Exit();
        }
    }

    /// <summary>
    /// Checks the latest committed state: every page's checksum (read from disk, not the cache), the file header,
    /// the catalog and every tree, and that every page is in exactly one tree, overflow chain or the free list.
    /// </summary>
    public IntegrityReport CheckIntegrity()
    {
        using ReadTransaction transaction = BeginRead();
        return new IntegrityChecker(_engine, transaction).Run();
    }

    /// <summary>
    /// How far the replica lags behind this database now (commits, WAL bytes and time), when the store last acknowledged
    /// an object, and the replicator's last error: the figures <see cref="GetStats"/> returns as
    /// <see cref="DatabaseStats.Replication"/>, without reading any page. A few field reads under the replicator's lock,
    /// so a monitoring loop may read it as often as it likes, from any thread. Null when the database does not
    /// replicate (opened without <see cref="PageDbOptions.Replication"/>, or read-only).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The database is closed.</exception>
    public ReplicationStats? ReplicationStats
    {
        get
        {
            ThrowIfDisposed();
            return _replication?.Stats;
        }
    }

    /// <summary>
    /// Sizes, shapes and cache figures of the latest committed state. Reads every page once (to count pages by type
    /// and measure how full B+tree pages are) and walks every tree (heights, entries, fill): O(database size).
    /// </summary>
    public DatabaseStats GetStats()
    {
        using ReadTransaction transaction = BeginRead();
        var pages = (SnapshotPages)transaction.Pages;
        using PageHandle header = pages.Read(PageNumber.Header);
        var fields = new FileHeaderPageReader(header.Data);
        Core.Buffers.BufferPoolStats cache = _engine.Pool.Stats;
        WalMark last = _engine.Wal.LastCommit;
        WalMark copied = _engine.Wal.CheckpointedThrough;
        PageCensus census = PageCensus.Take(pages);
        (TimeSpan oldestAge, long pinnedBytes) = _engine.Readers.Oldest(_engine.Wal);
        return new DatabaseStats
        {
            PageSize = pages.PageSize,
            PageCount = pages.PageCount,
            FreePages = fields.FreePageCount,
            WalBytes = _engine.Wal.TotalBytes,
            WalSyncs = _engine.Wal.CommitSyncs,
            OldestReaderAge = oldestAge,
            OldestReaderPinnedWalBytes = pinnedBytes,
            WalFrames = Math.Max(0, last.LastCommitFrame.Value - copied.LastCommitFrame.Value),
            CacheHits = cache.Hits,
            CacheMisses = cache.Misses,
            CacheEvictions = cache.Evictions,
            PagesByType = census.CountsByType,
            FillHistogram = census.FillHistogram,
            TreeCount = new Catalog(pages).Entries().Count,
            Trees = TreeCensus.Describe(pages),
            Replication = _replication?.Stats,
        };
    }

    /// <summary>
    /// Rewrites every tree into the fewest pages, front to back, and returns the space freed to the file system:
    /// afterwards the file holds no free pages. Runs as one write transaction (a crash leaves the database as it
    /// was, or compacted), then a truncating checkpoint, which waits for readers of older snapshots.
    /// </summary>
    /// <exception cref="TimeoutException">Readers of older snapshots stayed open longer than the write-lock timeout;
    /// the database is compacted but the file is not yet shrunk (a later checkpoint does it).</exception>
    public void Compact()
    {
        using Activity? compaction = EngineTelemetry.Start("pagedb.compaction", _engine.File.Path);
        using (WriteTransaction transaction = BeginWrite())
        {
            Compactor.Rebuild(transaction.TransactionPages);
            transaction.Commit();
        }
        Checkpoint(CheckpointMode.Truncate);
    }

    /// <summary>Checkpoints when it can (no writer open, nothing failed) and closes the files.</summary>
    /// <exception cref="PageDbIOException">An earlier I/O failure (perhaps of an automatic checkpoint in the background)
    /// kept the final checkpoint from running while commits acknowledged at <see cref="Durability.Normal"/> were not yet
    /// synced: the files are closed, but those commits are not durable until the database is reopened. Or a background
    /// checkpoint step failed and no call reported the failure yet (nothing acknowledged is lost).</exception>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
            return;
        try
        {
            StopWhatRunsOnTheEngine();
        }
        finally
        {
            Volatile.Write(ref _disposed, 1);
            _engine.Dispose();
        }
    }

    /// <summary>The first step of both disposals, before the engine closes: replication ships once more and stops.</summary>
    private void StopWhatRunsOnTheEngine()
    {
        _replication?.Dispose();
        _engine.Options.BeforeDispose?.Invoke(this);
    }

    /// <summary>
    /// As <see cref="Dispose"/>: checkpoints when it can and closes the files. The final checkpoint runs on a
    /// thread-pool thread, so the caller's thread is not blocked by its copy and syncs.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
            return;
        try
        {
            StopWhatRunsOnTheEngine();
        }
        finally
        {
            Volatile.Write(ref _disposed, 1);
            await Task.Run(_engine.Dispose).ConfigureAwait(false);
        }
    }

    private void EnsureCatalog()
    {
        using WriteTransaction transaction = BeginWrite();
        using (PageHandle header = transaction.Pages.Read(PageNumber.Header))
        {
            var fields = new FileHeaderPageReader(header.Data);
            if (!fields.CatalogRoot.IsNone)
                return;
            // Only a new database (the header alone) lacks a catalog; starting one over existing pages would hide them.
            if (transaction.Pages.PageCount != 1)
                ThrowHelper.ThrowCorrupt(transaction.Pages.FilePath, PageNumber.Header, $"the header records no catalog, but the database has {transaction.Pages.PageCount} pages");
        }
        Catalog.Create(transaction.Pages);
        transaction.Commit();
    }

    /// <summary>The engine, for the replicator and the replica follower (PageDb.Replication).</summary>
    internal StorageEngine Engine => _engine;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
