using System.Diagnostics.CodeAnalysis;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Rebuilds the WAL index from the file when the log is opened. The rule (WalFormat invariant 1): read the header;
/// accept frames from the first one on while their salts equal the header's and their checksum continues the chain;
/// stop at the first that does not (a torn, garbled, zeroed or stale frame, or the end of the file); the log's content
/// is everything up to and including the last commit frame accepted, and valid frames after it are dropped.
/// <para>
/// Recovery never writes, so a crash during recovery, any number of times, leaves the file as it was and the next
/// recovery finds the same state. Header outcomes: shorter than a header or all zeros = no log (a new file);
/// a sound header of another database id = a foreign log, discarded; a bad checksum, magic or version, or a page size
/// other than the database's = <see cref="CorruptDatabaseException"/> (a header is written within one sector, so it
/// cannot tear: a damaged one is real damage, and guessing could lose committed data).
/// </para>
/// <para>
/// Two files (<see cref="WriteAheadLog"/>, "Two log files"): each sound header of this database is a generation; they
/// are read in the order of their checkpoint sequences into one index, the older first, so the log is the older
/// file's committed frames followed by the newer file's. The newer file is the one the writer goes on appending to;
/// the older one stays a generation of the index only when it holds a commit.
/// </para>
/// <para>
/// The newer file is read before the older one, and the index is built only once both are read. A read-only open in
/// another process recovers while that process's writer goes on (<see cref="WalOptions.WrittenByAnotherProcess"/>),
/// and the writer may switch files meanwhile, adopting a header written into the other file ahead of time, so the
/// headers read at the start do not show it. The writer writes every frame of the file it leaves before the first
/// frame of the next one (<see cref="WriteAheadLog"/>, "Two log files", step 1), so whatever the read of the newer file
/// finds, the older file read after it holds all of its generation: the log recovered is one the writer committed
/// (either without the newer file's commits, or with all the older file's). Read the other way round, the older file
/// could end where the writer was before it finished that file and switched, and the newer file's commits would then
/// follow a gap: a snapshot mixing versions of pages no commit made (a B-tree root still pointing to a page that had
/// become a free-list trunk, seen by a reader process beside a writer that switched during its open).
/// </para>
/// <para>
/// Invariant of a read-only open beside another process's writer (<see cref="RunBesideWriter"/>): the log recovered
/// is kept only when both files' headers, read again after both files were read, are byte for byte the headers read
/// at the start; otherwise it is discarded and recovery runs again (<see cref="AttemptsBeforeWaiting"/> recoveries at
/// once, then more after a short growing pause until <see cref="WalOptions.BesideWriterTimeout"/> has passed, then the
/// open fails with <see cref="DatabaseLockedException"/>). The writer overwrites a file's frames only
/// under a new header written first (a restart in place, or a forget or a prepared switch before it switches back into
/// that file), and every header it writes has a higher sequence than any before, so equal
/// headers mean no frame read was overwritten meanwhile: the only changes possible are appends and one switch to a
/// header already read, which reading the newer file first covers. A writer that switched twice during the reads (it
/// forgot the older generation, filled the newer file and switched back into the older one) would otherwise leave an
/// older file ending early followed by nothing newer: a snapshot whose database size is an earlier commit's while its
/// pages, read from the database file because their frames' header changed, are a later one's. A writer's own recovery
/// (nothing writes beside it) reads each header once, as before.
/// </para>
/// </summary>
internal static class Recovery
{
    /// <summary>
    /// Reads the logs in <paramref name="files"/> (the <c>-wal</c> and <c>-wal2</c> files; null: no file) into an
    /// index, and returns the index with what the writer needs to continue the newer generation.
    /// </summary>
    public static RecoveredLog Run(IStorageFile?[] files, WalOptions options, out WalIndex index)
    {
        Span<byte> headers = stackalloc byte[2 * WalFormat.HeaderSize];
        return Run(files, options, headers, out index);
    }

    /// <summary>The recoveries a read-only open beside another process's writer tries at once, before it pauses between them (the type's invariant).</summary>
    public const int AttemptsBeforeWaiting = 5;

    /// <summary>The longest pause between two recoveries beside a writer that keeps switching files.</summary>
    private const int MaxPauseMilliseconds = 100;

    /// <summary>
    /// <see cref="Run(IStorageFile[], WalOptions, out WalIndex)"/> for a read-only open beside another process's writer
    /// (<see cref="WalOptions.WrittenByAnotherProcess"/>): repeated until both headers read after the files are the ones
    /// read before them (the type's invariant): <see cref="AttemptsBeforeWaiting"/> times at once, then after a pause
    /// that doubles from 1 ms up to <see cref="MaxPauseMilliseconds"/>, until <see cref="WalOptions.BesideWriterTimeout"/>
    /// has passed since the first (a writer switches at its checkpoints, so a moment later it is likely between two).
    /// A file missing in <paramref name="files"/> is opened by <paramref name="openMissing"/> (its index in
    /// <paramref name="files"/>; null while it does not exist) before each attempt, into <paramref name="files"/>: a
    /// switch back found on the way may have followed the file's creation.
    /// </summary>
    /// <exception cref="DatabaseLockedException">The headers changed during every attempt until the timeout: the writer kept switching files.</exception>
    public static RecoveredLog RunBesideWriter(
        IStorageFile?[] files, Func<int, IStorageFile?> openMissing, string databasePath, WalOptions options, out WalIndex index)
    {
        TimeSpan timeout = options.BesideWriterTimeout;
        long start = Environment.TickCount64;
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : start + (long)timeout.TotalMilliseconds;
        byte[] before = new byte[2 * WalFormat.HeaderSize];
        byte[] after = new byte[2 * WalFormat.HeaderSize];
        int pause = 1;
        for (int attempt = 1; ; attempt++)
        {
            for (int file = 0; file < files.Length; file++)
                files[file] ??= openMissing(file);
            RecoveredLog log = Run(files, options, before, out index);
            ReadHeaderBytes(files[0], after.AsSpan(0, WalFormat.HeaderSize));
            ReadHeaderBytes(files[1], after.AsSpan(WalFormat.HeaderSize));
            if (before.AsSpan().SequenceEqual(after))
                return log;
            if (attempt < AttemptsBeforeWaiting)
                continue;
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
                throw new DatabaseLockedException(databasePath, $"the writing process switched its log files during each of {attempt} "
                    + $"recoveries of this read-only open in {(Environment.TickCount64 - start) / 1000.0:0.###} s (a file's header changed while it was read), "
                    + "so no snapshot it committed could be read. Open it again; a longer PageDbOptions.WriteLockTimeout for this open, "
                    + "or a larger CheckpointThresholdBytes for the writer (which switches files at its checkpoints), makes this rarer.");
            Thread.Sleep((int)Math.Min(pause, left));
            pause = Math.Min(2 * pause, MaxPauseMilliseconds);
        }
    }

    /// <summary>One recovery; <paramref name="headers"/> receives both headers as read (zeros where none was read).</summary>
    private static RecoveredLog Run(IStorageFile?[] files, WalOptions options, Span<byte> headers, out WalIndex index)
    {
        Span<byte> first = headers[..WalFormat.HeaderSize];
        Span<byte> second = headers[WalFormat.HeaderSize..];
        HeaderState a = ReadHeader(files[0], options, first);
        HeaderState b = ReadHeader(files[1], options, second);
        bool foreign = a == HeaderState.Foreign || b == HeaderState.Foreign;
        if (a != HeaderState.Sound && b != HeaderState.Sound)
        {
            index = new WalIndex();
            return RecoveredLog.NoLog(foreign) with { HighestSequence = 0 };
        }
        var headerA = new WalHeader(first);
        var headerB = new WalHeader(second);
        if (a == HeaderState.Sound && b == HeaderState.Sound && headerA.CheckpointSequence == headerB.CheckpointSequence)
            ThrowHelper.ThrowCorrupt(files[1]!.Path, "both WAL files have the same checkpoint sequence");
        int newer = b != HeaderState.Sound || (a == HeaderState.Sound && headerA.CheckpointSequence > headerB.CheckpointSequence) ? 0 : 1;
        WalHeader newerHeader = newer == 0 ? headerA : headerB;
        WalHeader olderHeader = newer == 0 ? headerB : headerA;
        bool hasOlder = (newer == 0 ? b : a) == HeaderState.Sound;
        // The newer file first (the type's summary): its frames vouch that the older file is complete when read after.
        ScannedFile newerScan = ScanFrames(files[newer]!, options, newerHeader);
        ScannedFile? olderScan = hasOlder ? ScanFrames(files[1 - newer]!, options, olderHeader) : null;
        index = new WalIndex(hasOlder ? 1 - newer : newer);
        RecoveredLog? older = olderScan is null ? null : AddToIndex(olderScan, files[1 - newer]!.Path, index);
        if (older is not null && older.Commits > 0)
            index.Switch();
        else if (older is not null)
            index.Restart(newer);
        RecoveredLog log = AddToIndex(newerScan, files[newer]!.Path, index);
        bool lastCommitInNewer = log.Commits > 0 || older is null;
        RecoveredLog last = lastCommitInNewer ? log : older!;
        RecoveredLog both = log with
        {
            File = newer,
            ForeignLogDiscarded = foreign,
            HighestSequence = newerHeader.CheckpointSequence,
            Commits = log.Commits + (older?.Commits ?? 0),
            CommittedFrames = log.CommittedFrames + (older?.CommittedFrames ?? 0),
            IgnoredFrames = log.IgnoredFrames + (older?.IgnoredFrames ?? 0),
            LastCommitSize = last.LastCommitSize,
            LastCommitPage = last.LastCommitPage,
            GenerationIds = [a == HeaderState.Sound ? headerA.Checksum : 0, b == HeaderState.Sound ? headerB.Checksum : 0],
        };
        CheckLastCommitSize(files[lastCommitInNewer ? newer : 1 - newer]!.Path, both.LastCommitPage, both.LastCommitSize,
            (ulong)options.DatabasePageCount + (ulong)both.CommittedFrames);
        return both;
    }

    private enum HeaderState
    {
        None,
        Foreign,
        Sound,
    }

    /// <summary>Reads and checks the header of <paramref name="file"/> into <paramref name="bytes"/>.</summary>
    /// <exception cref="CorruptDatabaseException">The header is damaged, or of this database with another page size.</exception>
    private static HeaderState ReadHeader(IStorageFile? file, WalOptions options, Span<byte> bytes)
    {
        if (!ReadHeaderBytes(file, bytes))
            return HeaderState.None;
        var header = new WalHeader(bytes);
        if (header.IsZero)
            return HeaderState.None;
        header.Verify(file.Path);
        if (header.DatabaseId != options.DatabaseId)
            return HeaderState.Foreign;
        if (header.PageSize != (uint)options.PageSize)
            ThrowHelper.ThrowCorrupt(file.Path, "the WAL's page size differs from the database's");
        return HeaderState.Sound;
    }

    /// <summary>Reads the header bytes of <paramref name="file"/> into <paramref name="bytes"/>; false (and zeros) when there is no file or it is shorter than a header.</summary>
    private static bool ReadHeaderBytes([NotNullWhen(true)] IStorageFile? file, Span<byte> bytes)
    {
        if (file is not null && file.TryReadExactly(0, bytes))
            return true;
        bytes.Clear();
        return false;
    }

    /// <summary>Reads the valid frames of <paramref name="file"/> (the recovery rule), without indexing them yet.</summary>
    private static ScannedFile ScanFrames(IStorageFile file, WalOptions options, WalHeader header)
    {
        int pageSize = options.PageSize;
        var log = new RecoveredLog(header.CheckpointSequence, header.Salt1, header.Salt2, WalFormat.HeaderSize, header.Checksum)
        {
            Version = header.Version,
        };
        var frames = new List<ScannedFrame>();
        byte[] frame = new byte[WalFormat.FrameSize(pageSize)];
        long offset = WalFormat.HeaderSize;
        ulong chain = header.Checksum;
        uint highestPage = 0; // of the transaction being read
        while (TryReadValidFrame(file, offset, pageSize, header, chain, frame, out int storedLength))
        {
            var frameHeader = new WalFrameHeader(frame);
            chain = frameHeader.Checksum;
            highestPage = Math.Max(highestPage, frameHeader.Page.Value);
            frames.Add(new ScannedFrame(frameHeader.Page, offset, storedLength, frameHeader.Encoding, frameHeader.CommitSize));
            offset += WalFormat.FrameSize(storedLength);
            if (frameHeader.CommitSize != 0)
            {
                CheckCommitSize(file.Path, frameHeader, highestPage);
                highestPage = 0;
                log = log with
                {
                    CommittedEnd = offset, CommittedChecksum = chain, Commits = log.Commits + 1, CommittedFrames = frames.Count,
                    LastCommitSize = frameHeader.CommitSize, LastCommitPage = frameHeader.Page,
                };
            }
        }
        return new ScannedFile(log with { IgnoredFrames = frames.Count - log.CommittedFrames }, frames);
    }

    /// <summary>
    /// Adds a file's frames to <paramref name="index"/> as its next generation, commit by commit; the frames after the
    /// last commit are added and rolled back, so their indexes are never handed out again (as when the writer appended them).
    /// </summary>
    private static RecoveredLog AddToIndex(ScannedFile scanned, string path, WalIndex index)
    {
        foreach (ScannedFrame frame in scanned.Frames)
        {
            FrameIndex added = index.Add(frame.Page, frame.Offset, frame.StoredLength, frame.Encoding, frame.CommitSize);
            if (frame.Encoding == FrameEncoding.Count && index.GetEntry(added).CountBase == 0)
                ThrowHelper.ThrowCorrupt(path, frame.Page, "a count frame has no earlier frame of its page in its generation");
            if (frame.CommitSize != 0)
                index.PublishCommit();
        }
        index.Rollback();
        return scanned.Log;
    }

    /// <summary>A file's recovered state and its valid frames in file order (the committed ones, then any after the last commit).</summary>
    private sealed record ScannedFile(RecoveredLog Log, List<ScannedFrame> Frames);

    /// <summary>What the index needs of one valid frame.</summary>
    private readonly record struct ScannedFrame(PageNumber Page, long Offset, int StoredLength, FrameEncoding Encoding, uint CommitSize);

    /// <summary>
    /// A commit frame's database size must cover every page its transaction logged: frames are chained, so a log that
    /// breaks this was written that way (a buggy or hostile writer).
    /// </summary>
    private static void CheckCommitSize(string walPath, WalFrameHeader commit, uint highestPage)
    {
        if (highestPage >= commit.CommitSize)
            ThrowHelper.ThrowCorrupt(walPath, commit.Page, $"a commit frame records a database of {commit.CommitSize} pages, but its transaction logged page {highestPage}");
    }

    /// <summary>
    /// The last commit's size (what a checkpoint gives the database file, and every snapshot taken from now on) must
    /// be no more than the database file's pages plus the frames logged (<see cref="WalOptions.DatabasePageCount"/>):
    /// every page a transaction adds is logged. Only the last of both files: an earlier commit (also the older file's
    /// last, when the newer file has commits) may record more pages than the file now has, when a compaction after it
    /// shrank the file before the log restarted; no snapshot uses it any more.
    /// </summary>
    private static void CheckLastCommitSize(string walPath, PageNumber commitPage, uint commitSize, ulong mostPages)
    {
        if (commitSize > mostPages)
            ThrowHelper.ThrowCorrupt(walPath, commitPage, $"the last commit frame records a database of {commitSize} pages, "
                + $"more than the database file and the log's frames hold ({mostPages})");
    }

    /// <summary>Reads the frame at <paramref name="offset"/> into <paramref name="frame"/>; false when it is not the chain's next valid frame.</summary>
    private static bool TryReadValidFrame(
        IStorageFile file, long offset, int pageSize, WalHeader header, ulong chain, Span<byte> frame, out int storedLength)
    {
        storedLength = -1;
        if (!file.TryReadExactly(offset, frame[..WalFormat.FrameHeaderSize]))
            return false;
        var frameHeader = new WalFrameHeader(frame);
        if (frameHeader.Salt1 != header.Salt1 || frameHeader.Salt2 != header.Salt2)
            return false;
        storedLength = frameHeader.StoredLength(pageSize);
        if (storedLength < 0)
            return false;
        Span<byte> stored = frame.Slice(WalFormat.FrameHeaderSize, storedLength);
        if (!file.TryReadExactly(offset + WalFormat.FrameHeaderSize, stored))
            return false;
        return WalFormat.FrameChecksum(chain, frame, storedLength) == frameHeader.Checksum;
    }
}

/// <summary>The state recovery hands to the writer: the generation, and where the committed log ends.</summary>
/// <param name="CheckpointSequence">The generation's checkpoint sequence.</param>
/// <param name="Salt1">The generation's salt-1 (0 when there is no usable log: the writer starts a new generation).</param>
/// <param name="Salt2">The generation's salt-2.</param>
/// <param name="CommittedEnd">The file offset just after the last commit frame (the header's end when none).</param>
/// <param name="CommittedChecksum">The chain checksum at that point (the header checksum when no frame).</param>
internal sealed record RecoveredLog(ulong CheckpointSequence, uint Salt1, uint Salt2, long CommittedEnd, ulong CommittedChecksum)
{
    /// <summary>Committed transactions found.</summary>
    public int Commits { get; init; }

    /// <summary>Frames of those transactions.</summary>
    public int CommittedFrames { get; init; }

    /// <summary>Valid frames after the last commit frame, dropped.</summary>
    public int IgnoredFrames { get; init; }

    /// <summary>The database size recorded by the last commit frame read (of both files, once combined); 0 when none.</summary>
    public uint LastCommitSize { get; init; }

    /// <summary>The page of that last commit frame.</summary>
    public PageNumber LastCommitPage { get; init; }

    /// <summary>The format version of the generation's header (the current version when there is no log).</summary>
    public uint Version { get; init; } = WalFormat.Version;

    /// <summary>True when a file held another database's log.</summary>
    public bool ForeignLogDiscarded { get; init; }

    /// <summary>The log file (0 = <c>-wal</c>, 1 = <c>-wal2</c>) of the newer generation, which the writer continues.</summary>
    public int File { get; init; }

    /// <summary>The highest checkpoint sequence of any sound header (0 when none): the next header written gets one more.</summary>
    public ulong HighestSequence { get; init; }

    /// <summary>
    /// Each file's generation as recovery read it: its header checksum (which covers the sequence and salts), 0 when
    /// the file held no generation of this database. A reader beside another process's writer compares it with the
    /// file's header after reading a frame (<see cref="WalOptions.WrittenByAnotherProcess"/>).
    /// </summary>
    public IReadOnlyList<ulong> GenerationIds { get; init; } = [0, 0];

    /// <summary>True when there is no usable log and the writer must start one.</summary>
    public bool IsNoLog => Salt1 == 0;

    /// <summary>The state when there is no usable log.</summary>
    public static RecoveredLog NoLog(bool foreign) => new(0, 0, 0, WalFormat.HeaderSize, 0) { ForeignLogDiscarded = foreign };
}
