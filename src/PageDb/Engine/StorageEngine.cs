using PageDb.Core.Buffers;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The parts of an open database below the catalog: the database file, the WAL, the buffer pool and the bookkeeping
/// that ties them into transactions (the write gate, the open readers, the failed state).
/// Threads: any thread may begin readers; writer work (commits, checkpoints) happens under <see cref="Gate"/>.
/// </summary>
internal sealed class StorageEngine : IDisposable
{
    private long _transactionSequence;

    // Written once, by the first failed write or sync; read by every later writer. After it is set, the database
    // refuses writes until reopened, because the files may hold a partial commit that only recovery can judge.
    private Exception? _failure;

    private StorageEngine(PageDbOptions options, DatabaseFile file, WriteAheadLog wal, BufferPool pool)
    {
        Options = options;
        File = file;
        Wal = wal;
        Pool = pool;
        Loader = new PageLoader(file, wal);
        CheckpointTarget = new CheckpointTarget(file, pool, options.Durability != Durability.None, wal);
    }

    public PageDbOptions Options { get; }

    public DatabaseFile File { get; }

    public WriteAheadLog Wal { get; }

    public BufferPool Pool { get; }

    public PageLoader Loader { get; }

    public ReaderRegistry Readers { get; } = new();

    public WriteGate Gate { get; } = new();

    private CheckpointTarget CheckpointTarget { get; }

    /// <summary>True when the database file was created by this open.</summary>
    public bool WasCreated => File.WasCreated;

    public static StorageEngine Open(string path, PageDbOptions options)
    {
        IStorage storage = options.Storage ?? FileStorage.Instance;
        StorageOpenMode mode = options.ReadOnly ? StorageOpenMode.ReadOnly
            : options.CreateIfMissing ? StorageOpenMode.CreateIfMissing
            : StorageOpenMode.ReadWrite;
        DatabaseFile file = OpenDatabaseFile(storage, path, mode, options);
        WriteAheadLog? wal = null;
        try
        {
            wal = WriteAheadLog.Open(storage, path, new WalOptions
            {
                PageSize = file.PageSize,
                DatabaseId = file.DatabaseId,
                DatabasePageCount = file.PageCount,
                ReadOnly = options.ReadOnly,
                SyncEnabled = options.Durability != Durability.None,
                CompressFrames = options.CompressWal,
            });
            return new StorageEngine(options, file, wal, new BufferPool(file.PageSize, options.CacheSizeBytes));
        }
        catch
        {
            wal?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens the database file, first restoring its header from the WAL when a crash mid-checkpoint tore it.</summary>
    private static DatabaseFile OpenDatabaseFile(IStorage storage, string path, StorageOpenMode mode, PageDbOptions options)
    {
        try
        {
            return DatabaseFile.Open(storage, path, mode, options.PageSize);
        }
        catch (CorruptDatabaseException e) when (e.PageNumber == 0 && !options.ReadOnly && HeaderRepair.TryRestoreFromWal(storage, path))
        {
            return DatabaseFile.Open(storage, path, mode, options.PageSize);
        }
    }

    /// <summary>A number no other transaction of this open has: names the private page versions of a write transaction.</summary>
    public ulong NextTransactionSequence() => (ulong)Interlocked.Increment(ref _transactionSequence);

    /// <summary>Throws when the database may not be written: opened read-only, or failed since it was opened.</summary>
    public void ThrowIfNotWritable()
    {
        if (Options.ReadOnly)
            throw new InvalidOperationException($"The database '{File.Path}' was opened read-only.");
        if (Volatile.Read(ref _failure) is { } failure)
            throw new PageDbIOException(File.Path, $"The database '{File.Path}' refuses writes after an earlier I/O failure ({failure.Message}); reopen it to recover.");
    }

    /// <summary>Marks the database failed: a write or sync failed part-way through a commit or checkpoint.</summary>
    public void Fail(Exception failure) => Interlocked.CompareExchange(ref _failure, failure, null);

    /// <summary>
    /// Copies the WAL into the database file as far as <paramref name="mode"/> allows. The caller holds the gate.
    /// </summary>
    /// <returns>False when a Full or Truncate checkpoint timed out waiting for readers of older snapshots.</returns>
    public bool Checkpoint(CheckpointMode mode)
    {
        ThrowIfNotWritable();
        WalMark last = Wal.LastCommit;
        if (mode != CheckpointMode.Passive && !Readers.WaitUntilNoneOlderThan(last, Options.WriteLockTimeout))
            return false;
        try
        {
            Wal.Checkpoint(CheckpointTarget, Readers.OldestOr(last), truncate: mode == CheckpointMode.Truncate);
            return true;
        }
        catch (PageDbIOException e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>Runs a passive checkpoint when the WAL has grown past the threshold. The caller holds the gate.</summary>
    public void CheckpointIfOverThreshold()
    {
        if (Wal.LogBytes > Options.CheckpointThresholdBytes)
            Checkpoint(CheckpointMode.Passive);
    }

    /// <summary>Closes the files, checkpointing first when nobody is writing and nothing has failed.</summary>
    public void Dispose()
    {
        try
        {
            if (!Options.ReadOnly && _failure is null && Gate.TryEnter())
            {
                try
                {
                    if (Readers.Count == 0)
                        Checkpoint(CheckpointMode.Truncate);
                    else
                        Checkpoint(CheckpointMode.Passive);
                }
                finally
                {
                    Gate.Exit();
                }
            }
        }
        finally
        {
            Wal.Dispose();
            File.Dispose();
            Pool.Dispose();
            Gate.Dispose();
        }
    }
}
