using System.Buffers;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// The write-ahead log of one database (<c>name.pagedb-wal</c>): commits append page images as frames, readers find
/// the page versions of their snapshot, and checkpoints copy pages into the database file and restart the log.
/// Byte layout in <see cref="WalFormat"/>; recovery rule in <see cref="Recovery"/>; index in <see cref="WalIndex"/>.
/// <para>
/// Threads. Writer calls (<see cref="Append"/>, <see cref="Commit"/>, <see cref="Rollback"/>,
/// <see cref="FindUncommittedFrame"/>, <see cref="TrySwitchFiles"/>, <see cref="Checkpoint"/>, <see cref="Dispose"/>)
/// come from one thread at a time: the holder of the engine's write lock. <see cref="CheckpointOlder"/> may run on
/// another thread at the same time as the writer calls except <see cref="Checkpoint"/> and <see cref="Dispose"/>
/// (the engine serializes checkpoints): it touches only the older generation's file, the checkpoint target and
/// <see cref="CheckpointedThrough"/>, and the writer never switches while an older generation exists. Reader calls (<see cref="LastCommit"/>, <see cref="FindFrame"/>,
/// <see cref="TryReadFrame"/>, <see cref="DatabaseSizeAt"/>) may come from any number of threads at once, during
/// writer calls, without locks. <see cref="WaitDurable"/> and <see cref="WaitDurableAsync"/> may come from any thread,
/// beside the writer: a committer waits there after releasing the write lock (group commit, <see cref="GroupSync"/>).
/// </para>
/// <para>
/// Life of a read: take <see cref="LastCommit"/> as the snapshot's mark when the read transaction begins; for page N,
/// <see cref="FindFrame"/>(N, mark); if that is <see cref="FrameIndex.None"/>, or <see cref="TryReadFrame"/> returns
/// false (the log restarted after copying everything into the database file), read page N from the database file.
/// Life of a commit: <see cref="Append"/> every dirty page but one, then <see cref="Commit"/> the last with the new
/// database size; pages spilled earlier in the transaction are simply appended earlier, and are dropped by
/// <see cref="Rollback"/>.
/// </para>
/// <para>
/// Restart rule: the log restarts from its beginning (new salts, next checkpoint sequence, old space overwritten) only
/// when every committed frame has been copied into the database file and synced, no reader's mark is older than the
/// last commit, and no uncommitted frame exists. Readers whose mark equals the last commit may still be reading frames:
/// they detect the restart (<see cref="TryReadFrame"/> returns false) and read the database file, which then holds
/// exactly their snapshot.
/// </para>
/// <para>
/// Two log files (format version 3; SQLite's wal2 idea), so the log stays bounded when readers always overlap. The
/// log is <c>name.pagedb-wal</c> and, from the first switch on, <c>name.pagedb-wal2</c>; each holds at most one
/// generation, and the log's content is the older generation's committed frames followed by the newer one's. Every
/// header written gets a checkpoint sequence higher than both files' (so recovery orders the files by it). The
/// protocol, with the crash-safe order of each step:
/// 1. Switch: when a checkpoint cannot restart the log because a reader is older than the last commit, there is no
///    older generation and no uncommitted frame, the writer syncs the current file, writes a new header (new salts)
///    into the other file, syncs it (creating and preallocating the file, then syncing its directory, the first time),
///    and appends from then on to the other file. The current generation becomes the older one. The other file's
///    header may be written and synced ahead (<see cref="PrepareSwitch"/>, or the forget of step 2); the switch adopts
///    it while its sequence is still the highest, so it syncs only the current file itself (and that file may be
///    synced ahead too, <see cref="PrepareSwitch"/>, also while an older generation exists). A switch that finds
///    nothing prepared does the preparation's steps itself: header, shrink, first growth step, each synced.
/// 2. Forget: once a checkpoint has copied every commit of the older generation into the database file and synced it
///    (so no reader is older than its last commit either: the copy stops at the oldest reader), the older file gets a
///    new header, synced, so its frames never validate again, and then the older generation is dropped from the index
///    (readers fall back to the database file). Then, still in the forget, the file is made ready for the next switch
///    back into it: shrunk to its header (synced) when a long reader let it grow past
///    <see cref="WalOptions.ShrinkForgottenFileAbove"/> (or past its first growth step, when that is larger) and past
///    twice what the current generation has written (<see cref="ShrinkAbove"/>), and its first growth step written as
///    zeros and synced. Until it is, the writer's <see cref="TrySwitchFiles"/> declines rather than wait for the forget
///    to finish.
/// 3. Restart in place (as before): only when there is no older generation; the new header's sequence is the highest.
/// A generation continued from a version 1 or 2 header never switches (an older build would not read the second
/// file) until a restart in place writes a version 3 header.
/// </para>
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    /// <summary>The log files: [0] is <c>-wal</c>, [1] is <c>-wal2</c> (null until the first switch creates it). Writer sets, readers Volatile-read.</summary>
    private readonly IStorageFile?[] _files;
    private readonly string[] _paths;
    private readonly IStorage _storage;
    private readonly WalOptions _options;
    private readonly WalIndex _index;

    /// <summary>Appends to the current generation's file; replaced at a switch (Volatile: <see cref="SyncAhead"/> reads it).</summary>
    private WalWriter? _writer;

    /// <summary>
    /// The other file's next generation, its header written and synced ahead of the switch that will adopt it
    /// (<see cref="PrepareSwitch"/>, <see cref="ForgetOlder"/>), or null. Valid only while its sequence is still the
    /// highest written (a restart in place since writes a higher one). Set and taken under <see cref="_switchLock"/>.
    /// </summary>
    private WalWriter? _prepared;

    /// <summary>
    /// True from just before a forget drops the older generation from the index until the file it leaves is ready for
    /// the next switch (<see cref="ForgetOlder"/>): a switch then would wait on <see cref="_switchLock"/> for that
    /// preparation, so <see cref="TrySwitchFiles"/> declines instead. Set and cleared under the lock (Volatile: the
    /// writer reads it without).
    /// </summary>
    private bool _makingForgottenFileReady;

    /// <summary>How far <see cref="SyncAhead"/> last synced the current generation (Volatile), or null.</summary>
    private SyncedAhead? _syncedAhead;

    /// <summary>
    /// Serializes what writes the other file's header (<see cref="PrepareSwitch"/> and <see cref="ForgetOlder"/>, on the
    /// background thread or a checkpoint) with the writer's <see cref="SwitchFiles"/>, and the background's growth of the
    /// current file (<see cref="GrowAhead"/>) with the switch away from it.
    /// </summary>
    private readonly Lock _switchLock = new();

    /// <summary>
    /// The most bytes of the current file a switch is left to sync itself once prepared (<see cref="IsSwitchPrepared"/>):
    /// the background's syncs ahead cover the rest, so the writer's switch is one short data sync.
    /// </summary>
    public const long SwitchResidualBytes = 256 << 10;

    /// <summary>Makes appended commits durable in groups and publishes them (null when read-only).</summary>
    private readonly GroupSync? _groupSync;

    /// <summary>The highest checkpoint sequence in either file's header (Interlocked: the writer and a background checkpoint write headers).</summary>
    private ulong _highestSequence;

    /// <summary>Every commit at or before this frame is in the database file (Volatile: readers may ask).</summary>
    private long _checkpointedThrough;

    /// <summary>Bytes of committed frames appended since the log was opened (Volatile: readers may ask).</summary>
    private long _committedBytes;

    /// <summary>Bytes of frames appended since the last commit or rollback. Writer only.</summary>
    private long _pendingBytes;

    /// <summary>The end of the older generation's file while there is one, else 0 (Volatile: readers may ask).</summary>
    private long _olderEnd;

    /// <summary>Each file's generation id at open (<see cref="RecoveredLog.GenerationIds"/>); read-only beside another process's writer.</summary>
    private readonly IReadOnlyList<ulong> _generationIds;

    private WriteAheadLog(IStorage storage, IStorageFile?[] files, string[] paths, WalOptions options, WalIndex index,
        WalWriter? writer, RecoveredLog log, WalRecoveryInfo recovery)
    {
        _storage = storage;
        _files = files;
        _paths = paths;
        _options = options;
        _index = index;
        _writer = writer;
        _highestSequence = Math.Max(log.HighestSequence, writer?.CheckpointSequence ?? 0);
        _olderEnd = index.HasOlder ? files[1 - index.CurrentFile]!.Length : 0;
        _generationIds = log.GenerationIds;
        Recovery = recovery;
        if (writer is not null)
            _groupSync = new GroupSync(index, writer, options.Failure, options.Published);
    }

    /// <summary>The path of the first WAL file (<c>name.pagedb-wal</c>).</summary>
    public string FilePath => _paths[0];

    /// <summary>The page size.</summary>
    public int PageSize => _options.PageSize;

    /// <summary>What opening the log found.</summary>
    public WalRecoveryInfo Recovery { get; }

    /// <summary>The newest commit readers may see (durable as the durability level promises): the mark a read transaction beginning now takes.</summary>
    public WalMark LastCommit => _index.LastCommit;

    /// <summary>
    /// The newest commit appended, durable or not: the snapshot a write transaction beginning now takes, since it is
    /// ordered after every appended commit (and cannot commit if their sync fails). Writer only.
    /// </summary>
    public WalMark LastAppendedCommit => _index.LastAppendedCommit;

    /// <summary>Every commit at or before this mark has been copied into the database file.</summary>
    public WalMark CheckpointedThrough => new(new FrameIndex(Volatile.Read(ref _checkpointedThrough)));

    /// <summary>The bytes the current file's log occupies from its start to its end (the automatic-checkpoint measure).</summary>
    public long LogBytes => _writer?.End ?? _files[0]?.Length ?? 0;

    /// <summary>The bytes of both files' logs: <see cref="LogBytes"/> plus the older generation's file while there is one.</summary>
    public long TotalBytes => LogBytes + Volatile.Read(ref _olderEnd);

    /// <summary>Bytes of committed frames appended since the log was opened; only grows.</summary>
    public long CommittedBytes => Volatile.Read(ref _committedBytes);

    /// <summary>The current generation's checkpoint sequence (+1 at every restart).</summary>
    public ulong CheckpointSequence => _writer?.CheckpointSequence ?? Recovery.CheckpointSequence;

    /// <summary>
    /// True when a commit of the current file was written without a sync (Durability.Normal) and no sync has covered it
    /// since: a power loss could still take it. Writer only.
    /// </summary>
    public bool HasUnsyncedCommits => _writer?.HasUnsyncedCommits ?? false;

    /// <summary>True when frames were appended after the last commit (a spilling transaction). Writer only.</summary>
    public bool HasUncommittedFrames => _index.HasUncommitted;

    /// <summary>True after a failed write or sync (anywhere in the engine sharing the failure state): every further write throws until the database is reopened.</summary>
    public bool IsFailed => _options.Failure.IsFailed;

    /// <summary>The WAL path of the database at <paramref name="databasePath"/>: <c>name.pagedb</c> -> <c>name.pagedb-wal</c>.</summary>
    public static string PathFor(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        return databasePath + "-wal";
    }

    /// <summary>The second WAL file's path (format version 3): <c>name.pagedb</c> -> <c>name.pagedb-wal2</c>.</summary>
    public static string SecondPathFor(string databasePath) => PathFor(databasePath) + "2";

    /// <summary>
    /// Opens (creating when missing, unless read-only) the log of the database at <paramref name="databasePath"/> and
    /// recovers it: the committed transactions in the log become visible, anything after the last valid commit frame is
    /// ignored and will be overwritten.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The log's header is damaged, or belongs to a different page size.</exception>
    /// <exception cref="PageDbIOException">The file could not be opened, read, or (when new) written.</exception>
    /// <exception cref="DatabaseLockedException">Read-only beside another process's writer, which kept switching log files during the recovery (<see cref="Wal.Recovery.RunBesideWriter"/>).</exception>
    public static WriteAheadLog Open(IStorage storage, string databasePath, WalOptions options)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        string[] paths = [PathFor(databasePath), SecondPathFor(databasePath)];
        if (!WalFormat.IsValidPageSize(options.PageSize))
            ThrowHelper.ThrowArgument(nameof(options), "PageSize must be a power of two from 4096 to 65536.");
        if (options.GrowthStep <= 0)
            ThrowHelper.ThrowArgument(nameof(options), "GrowthStep must be positive.");
        IStorageFile?[] files = new IStorageFile?[2];
        WalWriter? writer = null;
        try
        {
            files[0] = OpenFile(storage, paths[0], options.ReadOnly, create: true);
            files[1] = OpenFile(storage, paths[1], options.ReadOnly, create: false);
            WalIndex index;
            RecoveredLog log = options.ReadOnly && options.WrittenByAnotherProcess
                ? Wal.Recovery.RunBesideWriter(files, file => OpenFile(storage, paths[file], readOnly: true, create: false), databasePath, options, out index)
                : Wal.Recovery.Run(files, options, out index);
            if (files[0] is not null && !options.ReadOnly)
                writer = StartWriter(storage, files[log.File]!, options, log);
            var info = new WalRecoveryInfo(log.Commits, log.CommittedFrames, log.IgnoredFrames, log.ForeignLogDiscarded,
                writer?.CheckpointSequence ?? log.CheckpointSequence);
            return new WriteAheadLog(storage, files, paths, options, index, writer, log, info);
        }
        catch
        {
            writer?.Dispose();
            files[0]?.Dispose();
            files[1]?.Dispose();
            throw;
        }
    }

    /// <summary>The newest frame of <paramref name="page"/> in the snapshot <paramref name="mark"/>, or <see cref="FrameIndex.None"/> (read the database file).</summary>
    public FrameIndex FindFrame(PageNumber page, WalMark mark) => _index.Find(page, mark);

    /// <summary>
    /// Reads the page image of <paramref name="frame"/> into <paramref name="destination"/> (one page). Returns false
    /// when the log restarted past the frame: its snapshot is then entirely in the database file, so read it there.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The frame's bytes are missing or do not decompress.</exception>
    public bool TryReadFrame(FrameIndex frame, Span<byte> destination)
    {
        if (destination.Length != PageSize)
            ThrowHelper.ThrowArgument(nameof(destination), "The destination must be exactly one page.");
        if (!_index.TryGetEntry(frame, out WalIndex.FrameEntry entry))
            return false;
        bool read = TryReadImage(frame, entry, destination);
        if (_index.LiveStart > frame || !IsGenerationUnchanged(entry.File))
            return false;
        if (!read)
            ThrowHelper.ThrowCorrupt(_paths[entry.File], new PageNumber(entry.Page), "a WAL frame is missing or does not decode");
        return true;
    }

    /// <summary>The page <paramref name="frame"/> holds, and its commit size (0 unless it ends a commit); false when the log no longer holds it.</summary>
    public bool TryGetFrame(FrameIndex frame, out PageNumber page, out uint commitSize)
    {
        bool held = _index.TryGetEntry(frame, out WalIndex.FrameEntry entry);
        (page, commitSize) = (new PageNumber(entry.Page), entry.CommitSize);
        return held;
    }

    /// <summary>The database size in pages at <paramref name="mark"/>, or 0 when the database file's own size applies.</summary>
    public uint DatabaseSizeAt(WalMark mark) =>
        _index.TryGetEntry(mark.LastCommitFrame, out WalIndex.FrameEntry entry) ? entry.CommitSize : 0;

    /// <summary>
    /// Fills <paramref name="destination"/> with (page, newest frame at or before <paramref name="mark"/>) for every page
    /// changed by a commit after <paramref name="after"/>: what a replica needs to move from one snapshot to the other.
    /// Complete only while a reader holds <paramref name="after"/> (checkpoints then keep every later frame).
    /// </summary>
    public void CollectChangedPages(WalMark after, WalMark mark, List<(PageNumber Page, FrameIndex Frame)> destination) =>
        _index.CollectNewest(after, mark, destination);

    /// <summary>
    /// Fills <paramref name="destination"/> with the committed frames after <paramref name="after"/> up to
    /// <paramref name="upTo"/>, oldest first, with their pages and commit sizes; rolled-back frames are left out
    /// (<see cref="WalIndex.CollectCommittedFrames"/>). Complete only while a reader holds <paramref name="after"/>.
    /// </summary>
    public void CollectCommittedFrames(WalMark after, WalMark upTo, List<(FrameIndex Frame, PageNumber Page, uint CommitSize)> destination) =>
        _index.CollectCommittedFrames(after, upTo, destination);

    /// <summary>The commits after <paramref name="after"/> up to <paramref name="upTo"/> whose frames the log still holds.</summary>
    public long CountCommits(WalMark after, WalMark upTo)
    {
        long commits = 0;
        for (long frame = Math.Max(after.LastCommitFrame.Value + 1, _index.LiveStart.Value); frame <= upTo.LastCommitFrame.Value; frame++)
        {
            if (_index.TryGetEntry(new FrameIndex(frame), out WalIndex.FrameEntry entry) && entry.CommitSize != 0)
                commits++;
        }
        return commits;
    }

    /// <summary>The newest frame of <paramref name="page"/> the current transaction spilled, or <see cref="FrameIndex.None"/>. Writer only.</summary>
    public FrameIndex FindUncommittedFrame(PageNumber page) => _index.FindUncommitted(page);

    /// <summary>
    /// Appends <paramref name="image"/> as an uncommitted frame of <paramref name="page"/>: a page of a transaction
    /// about to commit, or spilled by one larger than memory. Invisible to readers until <see cref="Commit"/>. Writer only.
    /// </summary>
    /// <exception cref="PageDbIOException">A write failed now or earlier (the log is failed until reopened).</exception>
    public FrameIndex Append(PageNumber page, ReadOnlySpan<byte> image) => AppendFrame(page, image, commitSize: 0, countOnly: false);

    /// <summary>
    /// Appends <paramref name="image"/> as an uncommitted count frame of <paramref name="page"/>: only its bytes [32, 40)
    /// are logged, to be put into the page's newest frame, which the caller has checked with
    /// <see cref="CanLogCountOver"/> and which holds every other byte of the image. Writer only.
    /// </summary>
    /// <exception cref="PageDbIOException">A write failed now or earlier (the log is failed until reopened).</exception>
    public FrameIndex AppendCount(PageNumber page, ReadOnlySpan<byte> image) => AppendFrame(page, image, commitSize: 0, countOnly: true);

    /// <summary>
    /// True when a new version of <paramref name="page"/> that differs from its version <paramref name="superseded"/>
    /// only in page bytes [32, 40) (a B-tree root's entry count) may be logged as a count frame
    /// (<see cref="WalFormat"/> invariant 5): the generation's header has count frames, and <paramref name="superseded"/>
    /// is the page's newest frame in the current generation, which the count frame will be based on. Writer only.
    /// </summary>
    public bool CanLogCountOver(PageNumber page, FrameIndex superseded) =>
        Writer.CanLogCounts && _index.NewestInGeneration(page) == superseded;

    /// <summary>
    /// True when a commit that grows the database need not log page 0 for its page count (<see cref="WalFormat"/>
    /// invariant 6): the generation's header is of version 5 or later. Writer only.
    /// </summary>
    public bool CanGrowWithoutHeader => Writer.CanGrowWithoutHeader;

    /// <summary>
    /// Appends <paramref name="image"/> as the commit frame of the transaction, recording the database size, writes
    /// the transaction's frames, syncs them when <paramref name="sync"/> (Durability.Full), and publishes the commit to
    /// new readers. Returns the commit's mark. Writer only; the ones who must not hold the write lock during the sync
    /// use <see cref="AppendCommit"/> and <see cref="WaitDurable"/>.
    /// </summary>
    /// <exception cref="PageDbIOException">A write or sync failed: nothing is published and the log is failed until reopened.</exception>
    public WalMark Commit(PageNumber page, ReadOnlySpan<byte> image, uint databaseSizeInPages, bool sync)
    {
        WalMark mark = AppendCommit(page, image, databaseSizeInPages, sync);
        if (sync)
            WaitDurable(mark);
        return mark;
    }

    /// <summary>
    /// Appends <paramref name="image"/> as the commit frame of the transaction, recording the database size, and writes
    /// the transaction's frames. Without <paramref name="sync"/> the commit is published to new readers at once;
    /// with it, the commit is published once a sync covers it: call <see cref="WaitDurable"/> (or the async form),
    /// which may be after the write lock is released, so that one sync serves every commit appended meanwhile
    /// (<see cref="GroupSync"/>). The next transaction builds on the commit either way (<see cref="LastAppendedCommit"/>).
    /// Returns the commit's mark. With <paramref name="countOnly"/> the commit frame is a count frame of the image (see
    /// <see cref="AppendCount"/>). Writer only.
    /// </summary>
    /// <exception cref="PageDbIOException">A write failed: nothing is published and the log is failed until reopened.</exception>
    public WalMark AppendCommit(PageNumber page, ReadOnlySpan<byte> image, uint databaseSizeInPages, bool sync, bool countOnly = false)
    {
        if (databaseSizeInPages == 0)
            ThrowHelper.ThrowArgument(nameof(databaseSizeInPages), "A database has at least its header page.");
        AppendFrame(page, image, databaseSizeInPages, countOnly);
        Writer.Commit(acknowledgedUnsynced: !sync);
        Volatile.Write(ref _committedBytes, _committedBytes + _pendingBytes);
        _pendingBytes = 0;
        WalMark mark = _index.EndTransaction();
        Group.Appended(mark, Writer.CommittedEnd, durable: !sync || !_options.SyncEnabled);
        return mark;
    }

    /// <summary>
    /// Returns once the commit <paramref name="mark"/> is durable and published, leading the sync of every commit
    /// appended so far or waiting for the one in flight (blocking the thread). Any thread.
    /// </summary>
    /// <exception cref="PageDbIOException">The sync failed, or the engine failed before it: the commit is lost, and
    /// is not seen after a reopen either.</exception>
    public void WaitDurable(WalMark mark) => Group.WaitDurable(mark);

    /// <summary>As <see cref="WaitDurable"/>, without blocking a thread while another thread's sync is in flight.</summary>
    /// <exception cref="PageDbIOException">As for <see cref="WaitDurable"/>.</exception>
    public Task WaitDurableAsync(WalMark mark) => Group.WaitDurableAsync(mark);

    /// <summary>
    /// Makes every commit appended so far durable and published (waiting for a group sync in flight), then syncs the
    /// log, so every commit, acknowledged at Durability.Normal too, is durable. Writer only: checkpoints, switches
    /// and restarts start here, so no commit waits for a sync in a file they leave behind.
    /// </summary>
    /// <exception cref="PageDbIOException">A sync failed: the log is failed until reopened.</exception>
    public void SyncAppended()
    {
        Group.SyncAppended();
        Writer.Sync();
    }

    /// <summary>Drops every frame appended since the last commit; their space is reused. Writer only.</summary>
    public void Rollback()
    {
        _index.Rollback();
        Writer.Rollback();
        _pendingBytes = 0;
    }

    /// <summary>
    /// Copies into <paramref name="target"/> the newest committed version of every page changed up to the older of
    /// <paramref name="oldestReaderMark"/> (pass <see cref="LastCommit"/> when there is no reader) and the last commit,
    /// syncs the log first and the target after, and then, when everything is copied and no reader is older than the
    /// last commit, restarts the log from its beginning; with <paramref name="truncate"/>, a restart also shrinks the
    /// files to their headers. When a reader holds the restart back, it forgets the older generation once it is
    /// copied, and switches to the other file when there is no older generation (the type's "Two log files"). Writer only.
    /// </summary>
    /// <exception cref="PageDbIOException">A write or sync failed (in the log or the target): the log is failed until reopened.</exception>
    public WalCheckpointResult Checkpoint(ICheckpointTarget target, WalMark oldestReaderMark, bool truncate = false)
    {
        ArgumentNullException.ThrowIfNull(target);
        Writer.ThrowIfFailed();
        // Every commit so far becomes durable, even when readers hold the copy back entirely (Durability.Normal syncs
        // at checkpoints only, so a checkpoint is the promise that what was committed before it survives a crash);
        // the copy below also relies on it: the log is synced before the database file is touched.
        SyncAppended();
        WalMark last = LastCommit;
        WalMark upTo = WalMark.Min(oldestReaderMark, last);
        int copied = upTo > CheckpointedThrough ? CopyIntoTarget(target, upTo) : 0;
        bool forgot = _index.HasOlder && CheckpointedThrough >= _index.OlderLastCommit && ForgetOlder();
        bool complete = CheckpointedThrough >= last;
        bool restarted = false;
        if (!_index.HasUncommitted && !_index.HasOlder)
        {
            if (complete && upTo == last && (_index.HasCommitsInGeneration || truncate))
                restarted = Restart(truncate);
            else if (upTo < last && _index.HasCommitsInGeneration && Writer.CanSwitch)
                SwitchFiles();
        }
        // Forgetting the older generation when the current one has no commit yet leaves the log as empty as a restart.
        restarted |= forgot && complete && !_index.HasCommitsInGeneration;
        return new WalCheckpointResult(copied, CheckpointedThrough, complete, restarted);
    }

    /// <summary>True when the log may switch files (its generation's header is of format version 3 or later). Writer only.</summary>
    public bool CanSwitch => Writer.CanSwitch;

    /// <summary>True while the current generation continues an older one in the other file (not yet copied out and forgotten).</summary>
    public bool HasOlderGeneration => _index.HasOlder;

    /// <summary>The older generation's last commit while there is one (a reader older than it holds the generation's forget back).</summary>
    public WalMark OlderGenerationLastCommit => _index.OlderLastCommit;

    /// <summary>
    /// Step 1 of "Two log files" without a checkpoint: switches to the other file when there is no older generation,
    /// no uncommitted frame, the current generation has a commit and its header allows it; the generation left behind
    /// is then for <see cref="CheckpointOlder"/> to copy out. Declines while a forget on another thread is still making
    /// the other file ready (after its drop of the older generation): the switch would wait for it on
    /// <see cref="_switchLock"/>, and a commit shortly after finds the switch prepared. Returns whether it switched.
    /// Writer only.
    /// </summary>
    /// <exception cref="PageDbIOException">A sync or the new header's write failed: the log is failed until reopened.</exception>
    public bool TrySwitchFiles()
    {
        Writer.ThrowIfFailed();
        // HasOlder before the flag: a forget sets the flag before it drops the older generation, so a writer that sees
        // the drop sees the flag too until the file is ready.
        if (_index.HasOlder || Volatile.Read(ref _makingForgottenFileReady) || _index.HasUncommitted
            || !_index.HasCommitsInGeneration || !Writer.CanSwitch)
            return false;
        SwitchFiles();
        return true;
    }

    /// <summary>
    /// True once per growth step of the current file, at the first call that finds it needing to grow ahead of the
    /// writer (<see cref="WalWriter.NeedsGrowthAhead"/>): the caller then asks the background thread for
    /// <see cref="GrowAhead"/>, so the commit that would have crossed the allocated end finds the space grown. Writer only.
    /// </summary>
    public bool TakeGrowthAheadRequest()
    {
        WalWriter writer = Writer;
        if (!NeedsGrowthAhead)
            return false;
        (WalWriter, long) request = (writer, writer.AllocatedEnd);
        if (_growthAheadAsked == request)
            return false;
        _growthAheadAsked = request;
        return true;
    }

    /// <summary>
    /// True when the index has no spare segment of entries ready for the writer (<see cref="PrepareIndexSegment"/> is
    /// due), so the commit that fills the current segment would allocate the next one itself. Any thread.
    /// </summary>
    public bool NeedsIndexSegment => _index.NeedsSpareSegment;

    /// <summary>
    /// Allocates the index's next segment of entries ahead of the writer, beside it (the background checkpointer's
    /// thread): 40 KiB of new memory that a commit would otherwise first touch itself. Any thread.
    /// </summary>
    public void PrepareIndexSegment() => _index.PrepareSpareSegment();

    /// <summary>True when the current file should grow ahead of the writer (<see cref="WalWriter.NeedsGrowthAhead"/>). Any thread.</summary>
    public bool NeedsGrowthAhead => Volatile.Read(ref _writer) is { } writer && writer.NeedsGrowthAhead;

    /// <summary>The writer and allocated end of the last <see cref="TakeGrowthAheadRequest"/> that returned true. Writer only.</summary>
    private (WalWriter?, long) _growthAheadAsked;

    /// <summary>
    /// Grows the current file one step ahead of the writer when it needs it (<see cref="WalWriter.GrowAhead"/>), beside
    /// the writer (the background checkpointer's thread), under <see cref="_switchLock"/>, so the file it grows stays
    /// the current generation's until the step is written (the growth does not sync: it marks the writer's next sync a
    /// full one). Without that lock a growth of a writer read just before a switch could still be writing its zeros
    /// after the writer had switched away, the file's generation had been copied out and forgotten, and a newer
    /// generation had been begun in the same file by a new <see cref="WalWriter"/> (whose growth lock is its own): the
    /// late zeros then landed on that generation's frames, and once they reached the disk recovery ended the log at
    /// the first frame they cut, losing the acknowledged commits after it. A switch meanwhile waits for the growth
    /// (one step's write).
    /// </summary>
    /// <exception cref="PageDbIOException">A write failed: the engine is failed until reopened.</exception>
    public void GrowAhead()
    {
        lock (_switchLock)
            _writer?.GrowAhead();
    }

    /// <summary>
    /// True when a switch now would cost the writer only a short sync (at most <see cref="SwitchResidualBytes"/> of the
    /// current file not yet synced) and no header write: <see cref="PrepareSwitch"/> has written the other file's next
    /// header and synced the current file nearly to its end. Writer only. The engine asks at every commit past the
    /// checkpoint threshold until it is true, so the in-memory conditions come first and <see cref="IsAdoptable"/> (a
    /// length query of the other file, a system call) last: it runs only once the sync ahead covers the writer, that is
    /// about once per switch.
    /// </summary>
    public bool IsSwitchPrepared
    {
        get
        {
            WalWriter writer = Writer;
            return IsSyncedAhead(writer) && Volatile.Read(ref _prepared) is { } prepared && IsAdoptable(prepared);
        }
    }

    /// <summary>True when a sync ahead covers <paramref name="writer"/>'s generation up to <see cref="SwitchResidualBytes"/> before its end.</summary>
    private bool IsSyncedAhead(WalWriter writer) =>
        Volatile.Read(ref _syncedAhead) is { } ahead && ahead.Writer == writer
        && ahead.Sequence == writer.CheckpointSequence && writer.End - ahead.End <= SwitchResidualBytes;

    /// <summary>
    /// Makes the next <see cref="TrySwitchFiles"/> cheap for the writer, beside it (the background checkpointer's
    /// thread, under the engine's checkpoint lock): writes and syncs the other file's next header (creating and
    /// preallocating the file the first time, shrinking it when a long reader let it grow), unless an earlier
    /// preparation or forget still serves, then syncs the current file's frames written so far, again while the writer
    /// appended more than <see cref="SwitchResidualBytes"/> meanwhile (a few rounds at most). Does nothing while there is
    /// an older generation (its forget prepares the other file, and <see cref="SyncAheadOfSwitch"/> syncs the current
    /// one ahead meanwhile). The writer's switch still syncs the current file
    /// itself before its first frame goes to the other file, so nothing here is needed for crash safety: a crash after
    /// it finds what a crash after <see cref="ForgetOlder"/> finds, an empty newest generation in the other file.
    /// </summary>
    /// <exception cref="PageDbIOException">A write or sync failed: the engine is failed until reopened.</exception>
    public void PrepareSwitch()
    {
        lock (_switchLock)
        {
            if (_index.HasOlder || !Writer.CanSwitch)
                return;
            if (_prepared is not { } prepared || !IsAdoptable(prepared))
            {
                DropPrepared();
                Volatile.Write(ref _prepared, NewSwitchTarget(1 - _index.CurrentFile));
            }
        }
        SyncAhead();
    }

    /// <summary>
    /// The syncs ahead of <see cref="PrepareSwitch"/> without its header: syncs the current file's frames ahead of the
    /// writer when more than <see cref="SwitchResidualBytes"/> of them are not yet synced ahead. For while an older
    /// generation holds the other file (a reader, e.g. the replicator's "archived through" mark, keeps it from being
    /// copied out and forgotten) and right after its forget, which writes the other file's header itself
    /// (<see cref="ForgetOlder"/>): so the switch that follows the forget, however far the current file grew meanwhile,
    /// costs the writer one short sync. Beside the writer (the background checkpointer's thread, under the engine's
    /// checkpoint lock). Only syncs: no crash point.
    /// </summary>
    /// <exception cref="PageDbIOException">A sync failed: the engine is failed until reopened.</exception>
    public void SyncAheadOfSwitch()
    {
        if (Writer.CanSwitch && !IsSyncedAhead(Writer))
            SyncAhead();
    }

    /// <summary>Syncs the current file's written frames from the background (see <see cref="PrepareSwitch"/>).</summary>
    private void SyncAhead()
    {
        const int MaxRounds = 4;
        WalWriter writer = Volatile.Read(ref _writer)!;
        for (int round = 0; round < MaxRounds; round++)
        {
            ulong sequence = writer.CheckpointSequence;
            long end = writer.WrittenEnd;
            writer.SyncForGroup();
            Volatile.Write(ref _syncedAhead, new SyncedAhead(writer, sequence, end));
            if (Volatile.Read(ref _writer) != writer || writer.WrittenEnd - end <= SwitchResidualBytes)
                return;
        }
    }

    /// <summary>
    /// True when <paramref name="prepared"/>'s header still has the highest sequence written and its file is not due to
    /// be shrunk, so a switch may adopt it as the next generation.
    /// </summary>
    private bool IsAdoptable(WalWriter prepared) =>
        prepared.CheckpointSequence == Interlocked.Read(ref _highestSequence)
        && Volatile.Read(ref _files[1 - _index.CurrentFile]) is { } file && file.Length <= ShrinkAbove;

    /// <summary>
    /// The length past which a file holding no live generation is shrunk to its header before a switch into it
    /// (<see cref="WalOptions.ShrinkForgottenFileAbove"/>), but never less than what <see cref="MakeReadyForSwitch"/>
    /// leaves in it, the header and first growth step (<see cref="WalWriter.FirstStepEnd"/>): else every file made ready
    /// counted as due to be shrunk again, and no preparation was ever adopted (an engine threshold below 32 KiB, twice
    /// which is less than the 64 KiB step, did that). Nor less than twice what the current generation has written: the
    /// readers that let the current generation grow that far (the replicator's "archived through" mark) will likely let
    /// the next one grow as far, and a shrunk file regrows one growth step at a time, each step's zeros written and the
    /// sync after it a full one (metadata), at the rate commits append. With a folder replica store at ~100k one-row
    /// commits/s nearly every forgotten file was shrunk from ~16 MiB, the committing thread zero-filled most steps itself
    /// (the background, held in its syncs ahead, came too late) and its switch synced the metadata. Both files stay
    /// bounded by the generations written in them, so the log shrinks back once readers stop holding it: the next
    /// forget finds a current generation near the threshold. Read by the writer and the background thread alike.
    /// </summary>
    private long ShrinkAbove =>
        Math.Max(Math.Max(_options.ShrinkForgottenFileAbove, WalWriter.FirstStepEnd(_options.GrowthStep)), 2 * Volatile.Read(ref _writer)!.WrittenEnd);

    private void DropPrepared()
    {
        _prepared?.Dispose();
        Volatile.Write(ref _prepared, null);
    }

    /// <summary>
    /// Copies the older generation's commits up to <paramref name="oldestReaderMark"/> into <paramref name="target"/>
    /// (the older file synced first, the target after) and, once all of them are copied, forgets the older generation.
    /// Returns true when there is no older generation left. May run beside the writer (see the type's threads).
    /// </summary>
    /// <exception cref="PageDbIOException">A write or sync failed: the engine is failed until reopened.</exception>
    public bool CheckpointOlder(ICheckpointTarget target, WalMark oldestReaderMark)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!_index.HasOlder)
            return true;
        Writer.ThrowIfFailed();
        WalMark olderLast = _index.OlderLastCommit;
        WalMark upTo = WalMark.Min(oldestReaderMark, olderLast);
        if (upTo > CheckpointedThrough)
        {
            // Only when there is something to copy: the background retries every few milliseconds while a reader holds
            // the copy back. The switch synced the file already; this keeps rule 1 of Checkpointer however the generation came.
            SyncOlderFile();
            CopyIntoTarget(target, upTo);
        }
        return CheckpointedThrough >= olderLast && ForgetOlder();
    }

    /// <summary>Checks the index invariants (<see cref="WalIndex"/>); throws <see cref="InvalidOperationException"/> when one is broken.</summary>
    public void Verify() => _index.Verify();

    /// <summary>Closes the files. Does not checkpoint: that is the engine's choice.</summary>
    public void Dispose()
    {
        _prepared?.Dispose();
        _writer?.Dispose();
        _files[0]?.Dispose();
        _files[1]?.Dispose();
    }

    /// <summary>
    /// Reads a frame of the current generation for the writer itself (checkpoint, or its own spilled pages).
    /// </summary>
    internal void ReadOwnFrame(FrameIndex frame, Span<byte> destination)
    {
        WalIndex.FrameEntry entry = _index.GetEntry(frame);
        if (!TryReadImage(frame, entry, destination))
            ThrowHelper.ThrowCorrupt(_paths[entry.File], new PageNumber(entry.Page), "a WAL frame is missing or does not decode");
    }

    /// <summary>Syncs that made commits durable since open (<see cref="GroupSync.Syncs"/>); 0 for a read-only log. Any thread.</summary>
    public long CommitSyncs => _groupSync?.Syncs ?? 0;

    /// <summary>The group sync of a writable log (tests reach it to fix its gathering time).</summary>
    internal GroupSync Group
    {
        get
        {
            if (_groupSync is null)
                ThrowHelper.ThrowInvalidOperation("The write-ahead log was opened read-only.");
            return _groupSync;
        }
    }

    private WalWriter Writer
    {
        get
        {
            if (_writer is null)
                ThrowHelper.ThrowInvalidOperation("The write-ahead log was opened read-only.");
            return _writer;
        }
    }

    private FrameIndex AppendFrame(PageNumber page, ReadOnlySpan<byte> image, uint commitSize, bool countOnly)
    {
        if (image.Length != PageSize)
            ThrowHelper.ThrowArgument(nameof(image), "A frame image must be exactly one page.");
        long offset = Writer.Append(page, image, commitSize, countOnly, out int storedLength, out FrameEncoding encoding);
        _pendingBytes += WalFormat.FrameSize(storedLength);
        return _index.Add(page, offset, storedLength, encoding, commitSize);
    }

    /// <summary>
    /// False when another process's writer has given log file <paramref name="file"/> a new generation since this
    /// read-only open recovered it (<see cref="WalOptions.WrittenByAnotherProcess"/>). The writer writes a new header
    /// before it overwrites any frame, so a frame read before a header that is still the one recovered is intact.
    /// </summary>
    private bool IsGenerationUnchanged(int file)
    {
        if (!_options.WrittenByAnotherProcess)
            return true;
        Span<byte> header = stackalloc byte[WalFormat.HeaderSize];
        return _files[file]!.TryReadExactly(0, header) && new WalHeader(header).Checksum == _generationIds[file];
    }

    private bool TryReadImage(FrameIndex frame, WalIndex.FrameEntry entry, Span<byte> destination)
    {
        switch (entry.Encoding)
        {
            case FrameEncoding.Page:
                return TryReadStored(frame, entry, destination);
            case FrameEncoding.ZeroRunElided:
                return TryReadStored(frame, entry, destination[..entry.StoredLength])
                    && ZeroRunElision.TryRestoreInPlace(destination, entry.StoredLength);
            case FrameEncoding.Count:
                return TryReadCounted(frame, entry, destination);
        }
        byte[] stored = ArrayPool<byte>.Shared.Rent(entry.StoredLength);
        try
        {
            Span<byte> image = stored.AsSpan(0, entry.StoredLength);
            return TryReadStored(frame, entry, image) && FrameCompressor.TryDecompress(image, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
    }

    /// <summary>
    /// Reads a count frame's page (<see cref="WalFormat"/> invariant 5): its base frame's image, whose page checksum and
    /// number are checked first (a damaged base must not come out sealed afresh: it reads as a frame that does not
    /// decode), with the count put in, sealed again.
    /// </summary>
    private bool TryReadCounted(FrameIndex frame, WalIndex.FrameEntry entry, Span<byte> destination)
    {
        var countBase = new FrameIndex(entry.CountBase);
        var page = new PageNumber(entry.Page);
        if (!_index.TryGetEntry(countBase, out WalIndex.FrameEntry baseEntry) || !TryReadImage(countBase, baseEntry, destination)
            || !PageHeader.IsSealed(destination, page))
            return false;
        if (!TryReadStored(frame, entry, destination.Slice(WalFormat.CountFieldOffset, WalFormat.CountStoredLength)))
            return false;
        PageHeader.Seal(destination, page);
        return true;
    }

    /// <summary>Reads a frame's stored bytes: from the writer's buffer for its own unwritten frames, else from the file.</summary>
    private bool TryReadStored(FrameIndex frame, WalIndex.FrameEntry entry, Span<byte> stored)
    {
        bool ownUncommitted = frame > _index.LastCommit.LastCommitFrame;
        if (ownUncommitted && _writer!.TryCopyBuffered(entry.FileOffset, entry.StoredLength, stored))
            return true;
        return Volatile.Read(ref _files[entry.File])!.TryReadExactly(entry.FileOffset + WalFormat.FrameHeaderSize, stored);
    }

    private int CopyIntoTarget(ICheckpointTarget target, WalMark upTo)
    {
        try
        {
            target.BeginCopy();
            int copied = Checkpointer.CopyPages(this, _index, target, CheckpointedThrough, upTo);
            target.SetPageCount(_index.GetEntry(upTo.LastCommitFrame).CommitSize);
            if (_options.SyncEnabled)
                target.Sync();
            Volatile.Write(ref _checkpointedThrough, upTo.LastCommitFrame.Value);
            return copied;
        }
        catch (Exception e) when (e is not CorruptDatabaseException)
        {
            _options.Failure.Fail(e);
            if (e is PageDbIOException)
                throw;
            throw new PageDbIOException(FilePath, "Checkpoint", e);
        }
    }

    private bool Restart(bool truncate)
    {
        _index.Restart(_index.CurrentFile);
        Writer.StartGeneration(Interlocked.Increment(ref _highestSequence));
        Group.GenerationStarted(Writer);
        // The new header must be durable before any frame of the new generation overwrites the old one's space: a
        // crash that kept the old header and the start of the old frames, but not the rest, would otherwise replay an
        // old prefix of commits over the newer database file. (TruncateToHeader syncs too.)
        if (truncate)
        {
            Writer.TruncateToHeader();
            TruncateOtherFile();
        }
        else
        {
            Writer.Sync();
        }
        return true;
    }

    /// <summary>
    /// Step 1 of "Two log files": the current file is synced (every frame of the generation left behind is durable
    /// before any frame of the next one), the other file gets a new generation's header, synced, and takes the appends.
    /// So every frame of the file left behind is written before the first frame of the next: a reader process's
    /// recovery relies on it, reading the newer file first (<see cref="Wal.Recovery"/>).
    /// </summary>
    private void SwitchFiles()
    {
        SyncAppended();
        lock (_switchLock)
        {
            int other = 1 - _index.CurrentFile;
            WalWriter next;
            if (_prepared is { } prepared && IsAdoptable(prepared))
            {
                next = prepared; // its header is written and synced already (PrepareSwitch, ForgetOlder)
                Volatile.Write(ref _prepared, null);
            }
            else
            {
                DropPrepared();
                next = NewSwitchTarget(other);
            }
            Volatile.Write(ref _olderEnd, Writer.End);
            _index.Switch();
            _writer!.Dispose();
            Volatile.Write(ref _writer, next);
            Group.GenerationStarted(next);
        }
    }

    /// <summary>
    /// Step 2 of "Two log files": the older generation is in the database file (synced) and no reader needs it, so its
    /// file gets a new header (readers still reading its frames are unaffected: they read past the header), and only
    /// then does the index forget it, which is what lets the writer switch back into the file. Then the file is made
    /// ready for that switch (<see cref="MakeReadyForSwitch"/>: shrunk to its header when a long reader let it grow, its
    /// first growth step allocated), here, on the thread that forgets (the background's, unless the writer checkpoints
    /// itself), so the switch adopts it (<see cref="IsAdoptable"/>) without writing or syncing the file itself. The
    /// shrink comes after the forget: a reader that found one of the file's frames before it reads a short or zeroed
    /// frame, then sees the forget (<see cref="TryReadFrame"/> checks the live start after reading) and reads the
    /// database file.
    /// </summary>
    private bool ForgetOlder()
    {
        lock (_switchLock)
        {
            DropPrepared();
            int file = 1 - _index.CurrentFile;
            WalWriter next = NewGenerationIn(file);
            Volatile.Write(ref _olderEnd, 0);
            Volatile.Write(ref _makingForgottenFileReady, true);
            try
            {
                _index.DropOlder();
                MakeReadyForSwitch(next, file);
                Volatile.Write(ref _prepared, next); // the next switch adopts it when nothing wrote a newer header meanwhile
            }
            finally
            {
                Volatile.Write(ref _makingForgottenFileReady, false);
            }
        }
        return true;
    }

    /// <summary>
    /// A new generation in log file <paramref name="file"/>, which holds no live generation, ready for a switch to
    /// append to: its header written and synced (<see cref="NewGenerationIn"/>), then <see cref="MakeReadyForSwitch"/>.
    /// </summary>
    private WalWriter NewSwitchTarget(int file)
    {
        WalWriter next = NewGenerationIn(file);
        MakeReadyForSwitch(next, file);
        return next;
    }

    /// <summary>
    /// Makes <paramref name="next"/>, the new empty generation whose header is durable in log file
    /// <paramref name="file"/>, ready for a switch: the file shrunk to that header (durably) when it is larger than
    /// <see cref="ShrinkAbove"/>, and its first growth step allocated (zeros, then a full sync), so
    /// the generation's first commits sync only data. A crash at any of these steps leaves what the header's sync
    /// left: an empty newest generation in <paramref name="file"/> (frames after the header carry older salts, or are
    /// zeros, and never validate). Disposes <paramref name="next"/> when a step fails (the engine is then failed).
    /// </summary>
    private void MakeReadyForSwitch(WalWriter next, int file)
    {
        try
        {
            if (_files[file]!.Length > ShrinkAbove)
                next.TruncateToHeader();
            next.AllocateFirstStep();
            next.Sync();
        }
        catch
        {
            next.Dispose();
            throw;
        }
    }

    /// <summary>Makes the older generation's frames durable before any of them is copied (the checkpoint order, rule 1 of <see cref="Checkpointer"/>).</summary>
    private void SyncOlderFile()
    {
        if (!_options.SyncEnabled)
            return;
        int older = 1 - _index.CurrentFile;
        try
        {
            _files[older]!.Sync(includeMetadata: false);
        }
        catch (Exception e)
        {
            _options.Failure.Fail(e);
            throw new PageDbIOException(_paths[older], "Sync", e);
        }
    }

    /// <summary>
    /// Writes a header of a new, empty generation (sequence above both files', new salts) into log file
    /// <paramref name="file"/>, creating the file when it does not exist yet, and makes it durable.
    /// </summary>
    private WalWriter NewGenerationIn(int file)
    {
        WalWriter? writer = null;
        try
        {
            IStorageFile? existing = _files[file];
            IStorageFile storageFile = existing ?? _storage.Open(_paths[file], StorageOpenMode.CreateIfMissing);
            Volatile.Write(ref _files[file], storageFile);
            writer = new WalWriter(storageFile, _options, RecoveredLog.NoLog(foreign: false));
            writer.StartGeneration(Interlocked.Increment(ref _highestSequence));
            if (existing is null)
                writer.MakeNewFileDurable(_storage);
            else
                writer.Sync();
            return writer;
        }
        catch (Exception e)
        {
            writer?.Dispose();
            _options.Failure.Fail(e);
            if (e is PageDbIOException)
                throw;
            throw new PageDbIOException(_paths[file], "Open", e);
        }
    }

    /// <summary>With a truncating restart and no older generation, shrinks the other file (if any) to its header too.</summary>
    private void TruncateOtherFile()
    {
        int other = 1 - _index.CurrentFile;
        if (_files[other] is not null)
            ShrinkToHeader(other);
    }

    /// <summary>Shrinks log file <paramref name="file"/>, which holds no live generation, to its header, durably.</summary>
    private void ShrinkToHeader(int file)
    {
        try
        {
            if (_files[file]!.Length > WalFormat.HeaderSize)
                _files[file]!.SetLength(WalFormat.HeaderSize);
            if (_options.SyncEnabled)
                _files[file]!.Sync(includeMetadata: true);
        }
        catch (Exception e)
        {
            _options.Failure.Fail(e);
            throw new PageDbIOException(_paths[file], "Truncate", e);
        }
    }

    private static IStorageFile? OpenFile(IStorage storage, string path, bool readOnly, bool create)
    {
        if (!readOnly && create)
            return storage.Open(path, StorageOpenMode.CreateIfMissing);
        if (!storage.Exists(path))
            return null;
        return storage.Open(path, readOnly ? StorageOpenMode.ReadOnly : StorageOpenMode.ReadWrite);
    }

    private static WalWriter StartWriter(IStorage storage, IStorageFile file, WalOptions options, RecoveredLog log)
    {
        var writer = new WalWriter(file, options, log);
        if (log.IsNoLog)
        {
            writer.StartGeneration(log.HighestSequence + 1);
            writer.MakeNewFileDurable(storage);
        }
        return writer;
    }

    /// <summary>A sync ahead of the writer: every byte of <see cref="Writer"/>'s generation <see cref="Sequence"/> before <see cref="End"/> is durable.</summary>
    private sealed record SyncedAhead(WalWriter Writer, ulong Sequence, long End);
}
