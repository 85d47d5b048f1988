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
        CheckpointTarget = new CheckpointTarget(file, pool, options.Durability != Durability.None);
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
                ReadOnly = options.ReadOnly,
                SyncEnabled = options.Durability != Durability.None,
                CompressFrames = options.CompressWal,
            });
            var engine = new StorageEngine(options, file, wal, new BufferPool(file.PageSize, options.CacheSizeBytes));
            try
            {
                engine.MakeRecoveredStateDurable(storage);
            }
            catch
            {
                // Not engine.Dispose(): that would checkpoint again. The catch below closes the files.
                engine.Pool.Dispose();
                engine.Gate.Dispose();
                throw;
            }
            return engine;
        }
        catch
        {
            wal?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Before this open accepts a commit, makes durable what recovery read: a truncating checkpoint writes every page
    /// the WAL holds into the database file and syncs it, then restarts the WAL on a synced header; then the file header
    /// is written again and synced, and the directory entries of both files are synced.
    /// Recovery reads through the OS page cache, which may show writes that will never reach the disk: on Linux a
    /// failed fsync (EIO) drops the dirty pages it covered from write-back but keeps showing them, and a later fsync
    /// succeeds without them. Commits appended after such frames would be lost with them at the next power loss, and
    /// the reopened database would show a commit whose <see cref="WriteTransaction.Commit"/> threw. Writing the pages
    /// again dirties them, so the sync that follows either makes them durable or fails, and then the open fails.
    /// The header and directory entries count because the failed sync may have been the one that created the files.
    /// Skipped when nothing can have failed (this open created the file) or nothing is promised (read-only, or
    /// <see cref="Durability.None"/>, which never syncs).
    /// </summary>
    private void MakeRecoveredStateDurable(IStorage storage)
    {
        if (Options.ReadOnly || File.WasCreated || Options.Durability == Durability.None)
            return;
        Checkpoint(CheckpointMode.Truncate);
        var header = new byte[File.PageSize];
        File.ReadHeader(header);
        File.WriteHeader(header);
        File.Sync();
        storage.SyncDirectory(File.Path);
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
