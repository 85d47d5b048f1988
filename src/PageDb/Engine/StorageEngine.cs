using System.Diagnostics;
using Microsoft.Extensions.ObjectPool;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine.Sharing;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The parts of an open database below the catalog: the database file, the WAL, the buffer pool and the bookkeeping
/// that ties them into transactions (the write gate, the open readers, the failed state).
/// Threads: any thread may begin readers; writer work (commits, checkpoints) happens under <see cref="Gate"/>;
/// automatic checkpoints run on the <see cref="BackgroundCheckpointer"/>'s thread.
/// </summary>
internal sealed class StorageEngine : IDisposable
{
    // Serializes checkpoints: the background one and the writer's (explicit Checkpoint, close). Taken after the gate.
    private readonly Lock _checkpointLock = new();

    // Null for a read-only database; started when the engine opens, stopped before the final checkpoint.
    private readonly BackgroundCheckpointer? _background;

    private long _transactionSequence;

    private static long s_lastInstance; // the last Instance given

    private StorageEngine(PageDbOptions options, DatabaseFile file, WriteAheadLog wal, BufferPool pool, FailureState failure,
        ProcessSharing sharing)
    {
        Options = options;
        Sharing = sharing;
        Failure = failure;
        File = file;
        Wal = wal;
        Pool = pool;
        Loader = new PageLoader(file, wal);
        CheckpointTarget = new CheckpointTarget(file, pool, options.Durability != Durability.None, wal);
        TransactionPagesPool = new DefaultObjectPool<TransactionPages>(new TransactionPagesPolicy(this), maximumRetained: 1);
        WriteCycles = new DefaultObjectPool<WriteCycle>(new WriteCyclePolicy(this), MaxRetainedWriteCycles);
        ReadSnapshots = new DefaultObjectPool<SnapshotPages>(new SnapshotPagesPolicy(this), MaxRetainedReadSnapshots);
        if (!options.ReadOnly && options.BackgroundCheckpoints)
            _background = new BackgroundCheckpointer(RunBackgroundStep, failure, file.Path);
    }

    public PageDbOptions Options { get; }

    /// <summary>This engine's number among those of the process (from 1): names it where holding it would keep it alive.</summary>
    public long Instance { get; } = Interlocked.Increment(ref s_lastInstance);

    /// <summary>The thread of the automatic checkpoints; null for a read-only database or without <see cref="PageDbOptions.BackgroundCheckpoints"/>.</summary>
    public BackgroundCheckpointer? Background => _background;

    /// <summary>
    /// The engine's one failure state, shared by the database file and the WAL: the first failed write or sync of a
    /// commit, checkpoint or sync (foreground or background) is recorded there, and the database refuses writes until
    /// reopened, because the files may hold a partial commit that only recovery can judge.
    /// </summary>
    public FailureState Failure { get; }

    public DatabaseFile File { get; }

    public WriteAheadLog Wal { get; }

    public BufferPool Pool { get; }

    public PageLoader Loader { get; }

    public ReaderRegistry Readers { get; } = new();

    /// <summary>What the log held at open, for the replicator to continue its generation (<see cref="ReplicationSource"/>); null unless replicating.</summary>
    public RecoveredHistory? RecoveredHistory { get; set; }

    /// <summary>
    /// Sees each page a commit logs (a replicator's, shipping a step per commit); null when nobody asked. One slot,
    /// owned by whoever filled it (<see cref="TryObserveCommitFrames"/>) until that one empties it
    /// (<see cref="StopObservingCommitFrames"/>); any thread.
    /// </summary>
    public ICommitFrameObserver? CommitFrameObserver => Volatile.Read(ref _commitFrameObserver);

    private ICommitFrameObserver? _commitFrameObserver;

    /// <summary>Makes <paramref name="observer"/> see every page a commit logs from now on; false when another observer has the slot.</summary>
    public bool TryObserveCommitFrames(ICommitFrameObserver observer) =>
        Interlocked.CompareExchange(ref _commitFrameObserver, observer, null) is null;

    /// <summary>Empties the slot if <paramref name="observer"/> holds it (another's is left alone).</summary>
    public void StopObservingCommitFrames(ICommitFrameObserver observer) =>
        Interlocked.CompareExchange(ref _commitFrameObserver, null, observer);

    /// <summary>
    /// Tells <see cref="CommitFrameObserver"/>, if any, that <paramref name="page"/> was logged as
    /// <paramref name="frame"/> (<see cref="ICommitFrameObserver.FrameLogged"/>). Never throws: the frame is in the log
    /// already and the commit goes on whatever the observer does, while the commit path rolls back on any throw (below
    /// <see cref="Durability.Full"/> the commit may already be published), so an observer's failure must not be
    /// mistaken for the commit's. A throw counts as a frame the observer did not record: the replicator reads such a
    /// frame back from the log (<c>CommitFrameQueue</c>).
    /// </summary>
    public void NotifyFrameLogged(PageNumber page, FrameIndex frame, ReadOnlySpan<byte> image, PageKey? superseded, bool countOnly)
    {
        ICommitFrameObserver? observer = CommitFrameObserver;
        if (observer is null)
            return;
        try
        {
            observer.FrameLogged(page, frame, image, superseded, countOnly);
        }
        catch (Exception)
        {
            // The observer's failure, not the commit's (see the summary): the frame just goes unrecorded.
        }
    }

    /// <summary>This open's place among processes: the writer lock and reader processes' marks, or a reader slot.</summary>
    public ProcessSharing Sharing { get; }

    /// <summary>Reader processes beside this writer (<see cref="OtherProcessReaders.None"/> when read-only or not on real files).</summary>
    public OtherProcessReaders OtherReaders => Sharing.Writer;

    /// <summary>Catalog lookups of read transactions by snapshot mark, shared by all of them.</summary>
    public CatalogLookupCache CatalogLookups { get; } = new();

    /// <summary>Write transactions' lookups of tables and their indexes in the committed catalog, by generation.</summary>
    public WriterCatalogCache WriterCatalog { get; } = new();

    public WriteGate Gate { get; } = new();

    /// <summary>
    /// The write transactions' page sets between transactions: taken at begin, returned once the transaction has
    /// ended (<see cref="TransactionPages.Discard"/>), so each keeps its page map's and list's capacity.
    /// </summary>
    public ObjectPool<TransactionPages> TransactionPagesPool { get; }

    /// <summary>
    /// The write transactions' cycles once ended: taken at begin, given back by the cycle itself when it reaches a
    /// terminal state, so a commit makes no new one. Several are out at once under group commit (one holding the slot,
    /// the others waiting for their sync), hence more than one kept.
    /// </summary>
    public ObjectPool<WriteCycle> WriteCycles { get; }

    // Cycles are small (a few fields): keeping as many as 64 committers may hold at once costs little.
    private const int MaxRetainedWriteCycles = 64;

    /// <summary>
    /// The read transactions' snapshot pages between transactions: taken at begin and pointed at the new snapshot,
    /// given back when the transaction ends, so a transaction per lookup makes no pages object nor trees anew.
    /// </summary>
    public ObjectPool<SnapshotPages> ReadSnapshots { get; }

    // As many as the readers open at once, usually a few threads' worth; each is a few fields and up to four trees.
    private const int MaxRetainedReadSnapshots = 64;

    private CheckpointTarget CheckpointTarget { get; }

    /// <summary>True when the database file was created by this open.</summary>
    public bool WasCreated => File.WasCreated;

    /// <summary>
    /// Opens the files, after taking this open's place among processes (<see cref="ProcessSharing"/>): the writer lock,
    /// or a reader slot. A read-only open beside a writer may read a log header while the writer rewrites it (a switch
    /// or a forget), which looks torn; it retries the open twice before it reports the damage as real.
    /// </summary>
    public static StorageEngine Open(string path, PageDbOptions options)
    {
        using Activity? recovery = EngineTelemetry.Start("pagedb.recovery", path);
        IStorage storage = options.Storage ?? FileStorage.Instance;
        ProcessSharing sharing = ProcessSharing.Join(storage, path, options);
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return OpenFiles(storage, path, options, sharing);
                }
                catch (CorruptDatabaseException) when (sharing.Reader is not null && attempt < 3)
                {
                    Thread.Sleep(10);
                }
            }
        }
        catch
        {
            sharing.Dispose();
            throw;
        }
    }

    private static StorageEngine OpenFiles(IStorage storage, string path, PageDbOptions options, ProcessSharing sharing)
    {
        StorageOpenMode mode = options.ReadOnly ? StorageOpenMode.ReadOnly
            : options.CreateIfMissing ? StorageOpenMode.CreateIfMissing
            : StorageOpenMode.ReadWrite;
        var failure = new FailureState();
        DatabaseFile file = OpenDatabaseFile(storage, path, mode, options, failure);
        WriteAheadLog? wal = null;
        try
        {
            wal = WriteAheadLog.Open(storage, path, new WalOptions
            {
                PageSize = file.PageSize,
                DatabaseId = file.DatabaseId,
                DatabasePageCount = file.PageCount,
                ReadOnly = options.ReadOnly,
                WrittenByAnotherProcess = sharing.Reader is not null,
                BesideWriterTimeout = options.WriteLockTimeout,
                SyncEnabled = options.Durability != Durability.None,
                CompressFrames = options.CompressWal,
                // Preallocating a whole MiB per step would double the footprint of a log kept near a 1 MiB threshold.
                GrowthStep = (int)Math.Clamp(options.CheckpointThresholdBytes / 4, 64 << 10, 1 << 20),
                ShrinkForgottenFileAbove = 2 * options.CheckpointThresholdBytes,
                Failure = failure,
                Published = sharing.Writer.Publish,
            });
            var engine = new StorageEngine(options, file, wal, new BufferPool(file.PageSize, options.CacheSizeBytes), failure, sharing);
            try
            {
                sharing.Joined(wal.LastCommit);
                if (options.Replication is not null && !options.ReadOnly)
                {
                    engine.RecoveredHistory = RecoveredHistory.Read(wal, file); // before the checkpoint below empties the log
                    if (storage is FileStorage) // the replicator continues a generation only for plain files (ReplicationSource.FilePath)
                        engine.RecoveredHistory = RecoveredHistoryFile.Keep(storage, path, engine.RecoveredHistory);
                }
                engine.MakeRecoveredStateDurable(storage);
            }
            catch
            {
                // Not engine.Dispose(): that would checkpoint again. The catch below closes the files.
                engine._background?.Dispose();
                engine.Pool.Dispose();
                engine.Gate.Dispose();
                throw;
            }
            EngineTelemetry.Opened(engine);
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
    private static DatabaseFile OpenDatabaseFile(IStorage storage, string path, StorageOpenMode mode, PageDbOptions options, FailureState failure)
    {
        try
        {
            return DatabaseFile.Open(storage, path, mode, options.PageSize, failure, options.MemoryMappedReads);
        }
        catch (CorruptDatabaseException e) when (e.PageNumber == 0 && !options.ReadOnly && HeaderRepair.TryRestoreFromWal(storage, path))
        {
            return DatabaseFile.Open(storage, path, mode, options.PageSize, failure, options.MemoryMappedReads);
        }
    }

    /// <summary>A number no other transaction of this open has: names the private page versions of a write transaction.</summary>
    public ulong NextTransactionSequence() => (ulong)Interlocked.Increment(ref _transactionSequence);

    /// <summary>Throws when the database may not be written: opened read-only, or failed since it was opened.</summary>
    public void ThrowIfNotWritable()
    {
        if (Options.ReadOnly)
            throw new InvalidOperationException($"The database '{File.Path}' was opened read-only.");
        if (Failure.Report() is { } failure)
            throw new PageDbIOException(File.Path, $"The database '{File.Path}' refuses writes after an earlier I/O failure ({failure.Message}); reopen it to recover.");
    }

    /// <summary>Marks the database failed: a write or sync failed part-way through a commit or checkpoint.</summary>
    public void Fail(Exception failure) => Failure.Fail(failure);

    /// <summary>
    /// Copies the WAL into the database file as far as <paramref name="mode"/> allows. The caller holds the gate.
    /// A Full or Truncate checkpoint waits for this process's readers of older snapshots, and with
    /// <paramref name="waitForReaderProcesses"/> (the user's <see cref="PageDatabase.Checkpoint"/>) for those of other
    /// processes too; the engine's own ones (at open and close) copy no further than a reader process's snapshot
    /// instead, so that a long-lived reader process never holds up a writer's open or close.
    /// </summary>
    /// <returns>False when a Full or Truncate checkpoint timed out waiting for readers of older snapshots.</returns>
    public bool Checkpoint(CheckpointMode mode, bool waitForReaderProcesses = false)
    {
        ThrowIfNotWritable();
        MakeAppendedDurable();
        WalMark last = Wal.LastCommit;
        TimeSpan timeout = Options.WriteLockTimeout;
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        if (mode != CheckpointMode.Passive && !Readers.WaitUntilNoneOlderThan(last, timeout))
            return false;
        bool waits = mode != CheckpointMode.Passive && waitForReaderProcesses;
        try
        {
            while (true)
            {
                if (waits && !OtherReaders.WaitUntilNoneOlderThan(last, deadline))
                    return false;
                if (TryCheckpoint(mode, waits ? last : WalMark.Empty))
                    return true;
            }
        }
        catch (PageDbIOException e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// One checkpoint up to the last commit and no further than the oldest reader; false (having copied nothing) when a
    /// reader process holds it back before <paramref name="mustReach"/> (one that began to open after the caller's
    /// wait): the caller waits again.
    /// </summary>
    private bool TryCheckpoint(CheckpointMode mode, WalMark mustReach)
    {
        lock (_checkpointLock)
        {
            using EngineTelemetry.CheckpointMeasurement measured = EngineTelemetry.MeasureCheckpoint(mode, File.Path);
            WalMark oldestHere = Readers.OldestOr(Wal.LastCommit);
            WalMark oldest = OtherReaders.BeginCheckpoint(oldestHere);
            try
            {
                // Only a reader process can be older here: this process's readers were waited for under the gate.
                if (oldest < oldestHere && oldest < mustReach)
                    return false;
                Wal.Checkpoint(CheckpointTarget, oldest, truncate: mode == CheckpointMode.Truncate);
                return true;
            }
            finally
            {
                OtherReaders.EndCheckpoint();
            }
        }
    }

    /// <summary>
    /// Waits for the group sync of the commits appended before the gate was taken (or leads it), so they are published
    /// and a checkpoint waits for, and copies, what readers may now see. The caller holds the gate.
    /// </summary>
    private void MakeAppendedDurable()
    {
        try
        {
            Wal.SyncAppended();
        }
        catch (PageDbIOException e)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// The writer's part of an automatic checkpoint, when the WAL has grown past the threshold: switch the log to its
    /// other file and copy the older generation out here, or, with <see cref="PageDbOptions.BackgroundCheckpoints"/>,
    /// leave the copy to the background thread. With the background thread the switch waits until that thread has
    /// prepared it (<see cref="WriteAheadLog.IsSwitchPrepared"/>), so it costs this commit one short sync, or until
    /// half a threshold more was appended since the switch became possible (the older generation forgotten, or the log
    /// past the threshold), so the first commit past 1.5 times the threshold when no reader holds the log back. While an
    /// older generation exists the background keeps the current file synced ahead too, so the switch that follows its
    /// forget is as short. Backpressure: when the current file has grown past twice the threshold and the older
    /// generation has been free to copy out (no reader older than its last commit) for a threshold's worth of appends,
    /// the background lags (or gets no CPU) and the writer runs that copy itself, so the log stays bounded however fast
    /// commits come. While a reader holds the older generation (the replicator's "archived through" mark, most often,
    /// or a reader process) the writer leaves the copy to the background: copying up to the reader's snapshot on
    /// the commit path put the copy's syncs there and forgot nothing. A log whose header
    /// predates two files (format version 1 or 2) cannot switch; it is checkpointed here, as before, until a restart
    /// upgrades it. The caller holds the gate. First, at any size, asks the background thread to grow the log file once
    /// the writer is half way into its last growth step (<see cref="WriteAheadLog.TakeGrowthAheadRequest"/>), to
    /// create pool frames once the pool is short of free ones (<see cref="BufferPool.NeedsSpareFrames"/>) and to
    /// allocate the log index's next segment once the writer has taken the last (<see cref="WriteAheadLog.NeedsIndexSegment"/>).
    /// </summary>
    public void MaintainLog()
    {
        if (_background is not null && Wal.TakeGrowthAheadRequest())
            _background.Signal(); // it grows the log file ahead (RunBackgroundStep), so no commit writes the zeros
        if (_background is not null && (Wal.NeedsIndexSegment || Pool.NeedsSpareFrames))
            _background.Signal(); // it creates pool frames and the log index's next segment ahead: no commit first touches new memory for them
        if (Wal.LogBytes <= Options.CheckpointThresholdBytes)
            return;
        if (!Wal.CanSwitch)
        {
            Checkpoint(CheckpointMode.Passive);
            return;
        }
        try
        {
            // Read once: the background may forget the older generation at any moment, and a switch decided on a read
            // from before its forget would skip the check below that the switch is prepared.
            bool olderGeneration = Wal.HasOlderGeneration;
            if (_background is not null && !olderGeneration && !Wal.IsSwitchPrepared
                && _switchUnprepared.Holds(Wal.CheckpointSequence, Wal.LogBytes) < Options.CheckpointThresholdBytes / 2)
            {
                Volatile.Write(ref _switchPreparationAsked, true);
                _background.Signal(); // it prepares the switch (RunBackgroundStep); a commit past this point switches
                return;
            }
            if (!olderGeneration)
                Wal.TrySwitchFiles();
            if (!Wal.HasOlderGeneration)
                return;
            bool copyHere = _background is null || BackgroundLagsBehindOlderGeneration();
            if (copyHere && CheckpointOlderGeneration())
                Wal.TrySwitchFiles();
        }
        catch (PageDbIOException e)
        {
            Fail(e);
            throw;
        }
        if (Wal.HasOlderGeneration && _background is not null)
        {
            Volatile.Write(ref _syncAheadAsked, true); // it syncs the current file ahead of the switch to come
            _background.Signal();
        }
    }

    /// <summary>
    /// True when the current file is past twice the threshold and the older generation has been free to copy out and
    /// forget (no reader older than its last commit) for a threshold's worth of appends: the background thread lags
    /// behind it, so the writer copies it itself (<see cref="MaintainLog"/>'s backpressure). Readers of this process are
    /// looked at every time; reader processes (the <c>-shm</c> reader table, a look without the checkpoint protocol's
    /// announcement: <see cref="OtherProcessReaders.OldestOr"/>) only once the rest holds, before the writer would try:
    /// a copy held back by one could forget nothing, and trying it waited on the checkpoint lock for whatever the
    /// background held it for. Either kind of reader restarts the count, so while a reader process holds the older
    /// generation the table is read once per threshold's worth of appends, not at every commit.
    /// </summary>
    private bool BackgroundLagsBehindOlderGeneration()
    {
        WalMark olderLast = Wal.OlderGenerationLastCommit;
        if (Readers.OldestOr(Wal.LastCommit) < olderLast)
        {
            _olderGenerationFree.Reset();
            return false;
        }
        if (_olderGenerationFree.Holds(Wal.CheckpointSequence, Wal.LogBytes) <= Options.CheckpointThresholdBytes
            || Wal.LogBytes <= 2 * Options.CheckpointThresholdBytes)
            return false;
        if (OtherReaders.OldestOr(Wal.LastCommit) < olderLast)
        {
            _olderGenerationFree.Reset();
            return false;
        }
        return true;
    }

    // MaintainLog's patience with the background thread (writer only): since when the switch could be made but was not
    // yet prepared, and since when the older generation was free to copy out.
    private readonly AppendedSince _switchUnprepared = new();
    private readonly AppendedSince _olderGenerationFree = new();

    /// <summary>
    /// True when a reader holds a snapshot no newer than what is already copied out, so a checkpoint of the older
    /// generation could copy and forget nothing: neither the writer (at every commit past twice the threshold: that
    /// doubled a one-row commit's CPU time) nor the background thread tries one while such a reader stays. A reader of
    /// this process (the replicator's "archived through" mark among them) is seen in <see cref="Readers"/>; a reader
    /// process in the shm reader table (<see cref="OtherProcessReaders.OldestOr"/>), looked at only when this process's
    /// readers leave the copy free, and under the checkpoint lock (which the writer and the background thread share).
    /// </summary>
    private bool IsOlderGenerationPinned(bool byOtherProcesses)
    {
        WalMark oldest = Readers.OldestOr(Wal.LastCommit);
        if (byOtherProcesses)
            oldest = OtherReaders.OldestOr(oldest);
        return oldest <= Wal.CheckpointedThrough;
    }

    /// <summary>
    /// The background thread's step: first the growth of the log file ahead of the writer, when it needs one
    /// (<see cref="WriteAheadLog.GrowAhead"/>: one step of zeros, no sync, the writer's next sync made a full one, so no
    /// commit writes them), free pool frames created ahead of the writer's new pages, when the pool is short of them
    /// (<see cref="BufferPool.AddSpareFrames"/>), and the log index's next segment of entries
    /// (<see cref="WriteAheadLog.PrepareIndexSegment"/>): a page buffer or segment allocated on the commit path is new
    /// memory, whose first touch cost a commit ~24 µs per 4 KiB on the bench machine; then, while the log has an older generation, one checkpoint of it
    /// (whose forget prepares the other file for the next switch) and, when the writer asked, a sync of the current file
    /// ahead of it (<see cref="WriteAheadLog.SyncAheadOfSwitch"/>); else, when the writer asked, the
    /// preparation of the next switch (<see cref="WriteAheadLog.PrepareSwitch"/>: the other file's header and a sync of
    /// the current file ahead of the writer), so the writer's switch is one short sync. True when nothing is left to do.
    /// </summary>
    private bool RunBackgroundStep()
    {
        Wal.GrowAhead();
        Pool.AddSpareFrames();
        Wal.PrepareIndexSegment();
        if (Wal.HasOlderGeneration)
            return CheckpointOlderGeneration(syncAhead: Interlocked.Exchange(ref _syncAheadAsked, false));
        if (Interlocked.Exchange(ref _switchPreparationAsked, false)) // else the signal asked only for the growth
        {
            lock (_checkpointLock)
                Wal.PrepareSwitch();
        }
        return true;
    }

    // Set by the writer when it signals the background to prepare a switch (MaintainLog), taken by RunBackgroundStep:
    // a wake for the growth ahead alone prepares nothing.
    private bool _switchPreparationAsked;

    // Set by the writer at each commit past the threshold while an older generation exists (MaintainLog), taken by
    // RunBackgroundStep, which then syncs the current file ahead (WriteAheadLog.SyncAheadOfSwitch) after its checkpoint
    // of the older generation: the forget prepares the other file, so the switch after it is prepared at once.
    private bool _syncAheadAsked;

    /// <summary>
    /// One checkpoint of the WAL's older generation (background thread, or the writer when it lags); true when none is
    /// left. With <paramref name="syncAhead"/> (the background, asked by the writer) it then syncs the current file
    /// ahead of the switch to come (<see cref="WriteAheadLog.SyncAheadOfSwitch"/>), also when a reader held the copy
    /// back, and in the same hold of the checkpoint lock as a forget, so the switch the forget allows finds the current
    /// file synced with no other checkpoint between.
    /// </summary>
    private bool CheckpointOlderGeneration(bool syncAhead = false)
    {
        bool pinned = IsOlderGenerationPinned(byOtherProcesses: false);
        if (pinned && !syncAhead)
            return false;
        lock (_checkpointLock)
        {
            bool forgotten = !pinned && CheckpointOlderGenerationLocked();
            if (syncAhead)
                Wal.SyncAheadOfSwitch();
            return forgotten;
        }
    }

    /// <summary>The copy and forget of <see cref="CheckpointOlderGeneration"/>, under the checkpoint lock.</summary>
    private bool CheckpointOlderGenerationLocked()
    {
        if (IsOlderGenerationPinned(byOtherProcesses: true))
            return false;
        using EngineTelemetry.CheckpointMeasurement measured = EngineTelemetry.MeasureCheckpoint(null, File.Path);
        WalMark oldest = OtherReaders.BeginCheckpoint(Readers.OldestOr(Wal.LastCommit));
        try
        {
            return Wal.CheckpointOlder(CheckpointTarget, oldest);
        }
        finally
        {
            OtherReaders.EndCheckpoint();
        }
    }

    /// <summary>
    /// Closes the files, checkpointing first when nobody is writing and nothing has failed. When an earlier failure
    /// (of a commit, a sync, or an automatic checkpoint on the background thread, which nobody waits on) kept the
    /// final checkpoint from running while commits acknowledged at <see cref="Durability.Normal"/> were not yet synced,
    /// it closes the files and then throws: those commits survive a crash of the process, not a power loss, and the
    /// caller must not take the close for the promise that they are durable (as <see cref="FileStream"/>'s Dispose
    /// throws when its last flush fails). Reopening recovers them from the log while the OS still holds it. It throws
    /// too when the failure happened on the background thread and no caller has been told of it yet: the close is the
    /// last call that can report an I/O error of the disk.
    /// </summary>
    /// <exception cref="PageDbIOException">The database had failed and holds acknowledged commits not yet durable, or
    /// a background step failed and no earlier call reported it.</exception>
    public void Dispose()
    {
        EngineTelemetry.Closed(this);
        _background?.Dispose();
        bool notDurable = false, unreported = false;
        try
        {
            if (!Options.ReadOnly && !Failure.IsFailed && Gate.TryEnter())
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
            notDurable = !Options.ReadOnly && Failure.IsFailed && Wal.HasUnsyncedCommits;
            unreported = Failure.HasUnreportedFailure;
        }
        finally
        {
            Wal.Dispose();
            File.Dispose();
            Pool.Dispose();
            Gate.Dispose();
            Sharing.Dispose();
        }
        if (notDurable)
            ThrowClosedWithoutCheckpoint();
        if (unreported)
            ThrowUnreportedBackgroundFailure();
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowUnreportedBackgroundFailure() =>
        throw new PageDbIOException(File.Path,
            $"A background checkpoint step of '{File.Path}' failed ({Failure.Failure?.Message}), so the database was "
            + "closed without its final checkpoint. No acknowledged commit is lost: the next open recovers them from the log.");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowClosedWithoutCheckpoint() =>
        throw new PageDbIOException(File.Path,
            $"The database '{File.Path}' was closed without its final checkpoint after an earlier I/O failure "
            + $"({Failure.Failure?.Message}): commits acknowledged since the last sync may be lost in a power loss. "
            + "Reopen it to recover them from the log.");
}
