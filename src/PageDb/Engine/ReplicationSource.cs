using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// What the replicator (PageDb.Replication) reads from the database it ships: snapshots held open as its "archived
/// through" mark, the pages changed between two of them, their images, and the figures for the replica's lag.
/// </summary>
/// <remarks>
/// The archived-through mark is an ordinary registered reader (<see cref="HeldSnapshot"/>): checkpoints already copy
/// no further than the oldest reader's mark, and the WAL restarts (or forgets its older file) only when no reader
/// needs the frames, so every frame after the mark stays in the log until the replicator moves the mark on, with no
/// change to the checkpointer. What holding it costs, and who bounds it: while the store is behind, the log grows past
/// the checkpoint threshold (with two log files the current file grows; commits are never blocked), a Full or
/// Truncate checkpoint waits for it as for any reader, and it shows as the oldest reader in
/// <see cref="DatabaseStats"/>. The replicator lets go of it past its lag limit and starts a new generation.
/// Thread-safe: readers may be taken and read from any thread, beside the writer.
/// </remarks>
internal sealed class ReplicationSource(PageDatabase database)
{
    private readonly StorageEngine _engine = database.Engine;

    /// <summary>Page size of the database.</summary>
    public int PageSize => _engine.File.PageSize;

    /// <summary>The database file's id, which a restored copy keeps.</summary>
    public ulong DatabaseId => _engine.File.DatabaseId;

    /// <summary>The last commit now.</summary>
    public WalMark LastCommit => _engine.Wal.LastCommit;

    /// <summary>WAL bytes committed since the database was opened.</summary>
    public long CommittedBytes => _engine.Wal.CommittedBytes;

    /// <summary>
    /// The database file's full path when it is in plain files, beside which the replicator keeps its own (a snapshot's
    /// spill while it is put, its status file); null for a database not in plain files (in memory), whose snapshot is
    /// kept in memory.
    /// </summary>
    public string? FilePath { get; } =
        (database.Options.Storage ?? FileStorage.Instance) is FileStorage ? Path.GetFullPath(database.Path) : null;

    /// <summary>Holds the latest committed snapshot open until the result is disposed.</summary>
    public HeldSnapshot Hold()
    {
        ReadTransaction transaction = database.BeginRead();
        var pages = (SnapshotPages)transaction.Pages;
        return new HeldSnapshot(transaction, pages.Mark, _engine.Wal.CommittedBytes, pages.PageCount);
    }

    /// <summary>What the log held at open (<see cref="RecoveredHistory"/>), handed over once: null after the first call.</summary>
    public RecoveredHistory? TakeRecoveredHistory()
    {
        RecoveredHistory? history = _engine.RecoveredHistory;
        _engine.RecoveredHistory = null;
        return history;
    }

    /// <summary>
    /// Deletes the histories earlier opens kept (<see cref="RecoveredHistoryFile"/>): call once the store acknowledged a
    /// state of this open, which the log then keeps the way from. False when the delete failed (try again later).
    /// </summary>
    public bool ForgetRecoveredHistories() => RecoveredHistoryFile.Delete(database.Path);

    /// <summary>
    /// True when <paramref name="mark"/> is what keeps the log from restarting (or switching files): the current file is
    /// past the checkpoint threshold, where the background checkpointer would restart it, the checkpoint has copied
    /// everything up to the mark and can copy no further, and commits follow it. Until the mark moves the log grows by
    /// every commit, and a commit's write into a larger, cache-cold log costs the committing thread more (see
    /// docs/benchmarks.md, "Replication"). Advisory (read from the replicator's thread while the writer commits): a
    /// stale answer only makes a cut a poll early or late.
    /// </summary>
    public bool HoldsLogBack(HeldSnapshot mark)
    {
        WriteAheadLog wal = _engine.Wal;
        return wal.LogBytes > _engine.Options.CheckpointThresholdBytes
            && mark.Mark <= wal.CheckpointedThrough
            && mark.Mark != wal.LastCommit;
    }

    /// <summary>Commits after <paramref name="after"/> up to <paramref name="upTo"/> (both held, or the last commit).</summary>
    public long CountCommits(WalMark after, WalMark upTo) => _engine.Wal.CountCommits(after, upTo);

    /// <summary>
    /// The pages of <paramref name="at"/> that commits after <paramref name="after"/> changed, in page order. Complete
    /// because <paramref name="after"/> is held: no frame after it can have been forgotten.
    /// </summary>
    public List<PageNumber> ChangedPages(HeldSnapshot after, HeldSnapshot at) => ChangedPages(after.Mark, after.PageCount, at.Mark, at.PageCount);

    /// <summary>
    /// As <see cref="ChangedPages(HeldSnapshot, HeldSnapshot)"/>, between two commits the log holds while a reader at
    /// or before <paramref name="after"/> is held, of <paramref name="afterPageCount"/> and <paramref name="pageCount"/>
    /// pages. Every page the database grew by is listed, whether or not a frame wrote it.
    /// </summary>
    private List<PageNumber> ChangedPages(WalMark after, uint afterPageCount, WalMark at, uint pageCount)
    {
        var changed = new List<(PageNumber Page, FrameIndex Frame)>();
        _engine.Wal.CollectChangedPages(after, at, changed);
        var pages = new List<PageNumber>(changed.Count);
        foreach ((PageNumber page, _) in changed)
        {
            if (page.Value < Math.Min(afterPageCount, pageCount))
                pages.Add(page);
        }
        for (uint page = afterPageCount; page < pageCount; page++)
            pages.Add(new PageNumber(page));
        pages.Sort();
        return pages;
    }

    /// <summary>
    /// Adds to <paramref name="destination"/> each page changed by a commit after <paramref name="after"/> up to
    /// <paramref name="upTo"/>, with its newest frame; complete while a reader at or before <paramref name="after"/> is held.
    /// </summary>
    public void CollectChangedPages(WalMark after, WalMark upTo, List<(PageNumber Page, FrameIndex Frame)> destination) =>
        _engine.Wal.CollectChangedPages(after, upTo, destination);

    /// <summary>
    /// Copies page <paramref name="page"/> of <paramref name="at"/> into <paramref name="destination"/>, sealed (its
    /// checksum matches its bytes, as every page a segment ships and the state hash covers must): from the buffer pool
    /// when it holds that version, sealed here, else read from its frame or the file, checksum verified, without
    /// caching it. A page a commit wrote stays in the pool under its frame's key, but not always sealed: a page the
    /// commit logged as a count frame keeps a stale checksum there (<see cref="PageHeader"/> invariant 2), and a version
    /// loaded by a reader was verified at its load. A cut ships the pages recent commits wrote, so most are still in
    /// the pool: reading them back from the log cost a read call, a checksum and the frame's decoding each, two thirds
    /// of a folder cut's CPU time (docs/benchmarks.md, "Replication"); the copy costs a checksum only.
    /// Page 0 gets <paramref name="at"/>'s page count stamped on it, so a segment's header page states its size (a
    /// commit that only grew the database did not log page 0: <see cref="HeaderPageCount"/>).
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The page fails its checksum.</exception>
    public void ReadPage(HeldSnapshot at, PageNumber page, Span<byte> destination) =>
        ReadVersion(((SnapshotPages)at.Transaction.Pages).KeyOf(page), at.PageCount, destination);

    /// <summary>
    /// As <see cref="ReadPage(HeldSnapshot, PageNumber, Span{byte})"/>, the version of <paramref name="page"/> after the
    /// commit <paramref name="at"/>, which a held reader at or before it keeps in the log; page 0 gets
    /// <paramref name="commitSize"/> (the size that commit records) stamped on it.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The page fails its checksum.</exception>
    public void ReadPageAt(WalMark at, uint commitSize, PageNumber page, Span<byte> destination)
    {
        FrameIndex frame = _engine.Wal.FindFrame(page, at);
        ReadVersion(frame.IsNone ? PageKey.FromFile(page) : PageVersions.FromFrame(page, frame), commitSize, destination);
    }

    /// <summary>
    /// As <see cref="ReadPage(HeldSnapshot, PageNumber, Span{byte})"/>, the version of <paramref name="page"/> that
    /// <paramref name="frame"/> logged (a committed frame a held reader keeps in the log; see <see cref="CollectCommittedFrames"/>); page 0
    /// gets <paramref name="commitSize"/> (the size the commit the frame belongs to records) stamped on it, since the
    /// commit may have grown the database after page 0 was logged (a spill).
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The page fails its checksum.</exception>
    public void ReadFrame(PageNumber page, FrameIndex frame, uint commitSize, Span<byte> destination) =>
        ReadVersion(PageVersions.FromFrame(page, frame), commitSize, destination);

    /// <summary>
    /// Fills <paramref name="destination"/> with the committed frames after <paramref name="after"/> (held) up to
    /// <paramref name="upTo"/>, oldest first, with their pages and commit sizes (0 unless a frame ends a commit): the
    /// frames of rolled-back transactions, which the log's index keeps, are left out.
    /// </summary>
    public void CollectCommittedFrames(HeldSnapshot after, WalMark upTo, List<(FrameIndex Frame, PageNumber Page, uint CommitSize)> destination) =>
        _engine.Wal.CollectCommittedFrames(after.Mark, upTo, destination);

    /// <summary>
    /// Makes <paramref name="image"/>, the bytes a commit of <paramref name="pageCount"/> pages logged for
    /// <paramref name="page"/> (a count frame's with a stale checksum), what the reads above give for that version:
    /// sealed, and page 0 with the size stamped on it.
    /// </summary>
    public static void SealAsRead(PageNumber page, uint pageCount, Span<byte> image)
    {
        PageHeader.Seal(image, page);
        if (page == PageNumber.Header)
            HeaderPageCount.Stamp(image, pageCount);
    }

    /// <summary>The frame holding <paramref name="page"/> as <paramref name="at"/> reads it (<see cref="ReadPage"/>), or <see cref="FrameIndex.None"/> (the database file's).</summary>
    public static FrameIndex FrameOf(HeldSnapshot at, PageNumber page)
    {
        PageKey key = ((SnapshotPages)at.Transaction.Pages).KeyOf(page);
        return PageVersions.IsFile(key) ? FrameIndex.None : PageVersions.Frame(key);
    }

    /// <summary>
    /// Pins the cached version <paramref name="key"/> for reading without counting an access; false when the pool does not hold it. A peek
    /// (<see cref="BufferPool.TryPeek"/>): the replication hook's look at a version about to be dropped leaves the
    /// cache's statistics and eviction order as they were. Any thread.
    /// </summary>
    public bool TryPeekCached(PageKey key, out PageHandle handle) => _engine.Pool.TryPeek(key, out handle);

    /// <summary>
    /// Makes <paramref name="observer"/> see every page a commit logs from now on; false, changing nothing, when another
    /// observer (another replication session's) has the one slot (<see cref="StorageEngine.TryObserveCommitFrames"/>).
    /// </summary>
    public bool TryObserveCommitFrames(ICommitFrameObserver observer) => _engine.TryObserveCommitFrames(observer);

    /// <summary>Stops <paramref name="observer"/> seeing commits; another observer that has the slot keeps it.</summary>
    public void StopObservingCommitFrames(ICommitFrameObserver observer) => _engine.StopObservingCommitFrames(observer);

    private void ReadVersion(PageKey key, uint pageCount, Span<byte> destination)
    {
        PageNumber page = key.Page;
        if (_engine.Pool.TryPin(key, out PageHandle cached))
        {
            using (cached)
                cached.Data.CopyTo(destination);
            SealAsRead(page, pageCount, destination);
            return;
        }
        _engine.Loader.Load(key, destination);
        if (page == PageNumber.Header)
            HeaderPageCount.Stamp(destination, pageCount);
    }

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="destination"/> as <see cref="PageDatabase.Backup"/> writes a file.</summary>
    public static void CopySnapshot(HeldSnapshot snapshot, Stream destination)
    {
        using var copy = new SnapshotCopy(snapshot.Transaction, leaveOpen: true);
        BackupFile.Copy(copy, destination, progress: null);
    }
}
