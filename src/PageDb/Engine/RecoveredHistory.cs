using System.IO.Hashing;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The commits a replicating database's log held when it was opened, as page fingerprints, read before the open's
/// truncating checkpoint copies them into the file and empties the log: the replicator compares the states they pass
/// through with the last state its store holds, to continue that generation (PageDb.Replication's
/// <c>GenerationResume</c>). Only fingerprints are kept (the XxHash3 of each page image, as the file holds it), 12 bytes
/// per frame; reading them costs one more pass over the recovered log at open.
/// <para>
/// The state before the first commit is the database file as it was (<see cref="FilePageCount"/> pages,
/// <see cref="FilePages"/> for the pages the log changes); the state after commit i is that with the pages of
/// commits 0..i laid over, <see cref="Commit.PageCount"/> pages; the state after the last is the one the open ends at
/// (<see cref="LastCommit"/>). Page 0 is taken, after every commit, as a replication segment ships it: its newest
/// image (logged, else the file's) with the commit's page count stamped on it (<see cref="HeaderPageCount"/>), since a
/// commit that only grows the database does not log it.
/// </para>
/// <para>
/// The open also keeps the histories of earlier opens whose replicator never shipped a cut (<see cref="Earlier"/>,
/// from <see cref="RecoveredHistoryFile"/>, which the open writes before its truncating checkpoint): a writer that
/// continued a generation and was killed again before its first cut truncated the last shipped state into the file,
/// and only those records still show the way from it.
/// </para>
/// </summary>
internal sealed class RecoveredHistory
{
    internal RecoveredHistory(WalMark lastCommit, bool complete, uint filePageCount, IReadOnlyDictionary<uint, ulong?> filePages, IReadOnlyList<Commit> commits)
    {
        LastCommit = lastCommit;
        Complete = complete;
        FilePageCount = filePageCount;
        FilePages = filePages;
        Commits = commits;
    }

    /// <summary>The last commit recovered: the state the database was opened at.</summary>
    public WalMark LastCommit { get; }

    /// <summary>
    /// False when a frame up to <see cref="LastCommit"/> could not be read (never expected at open): the commits then
    /// lack pages they changed, so no state may be continued from them.
    /// </summary>
    public bool Complete { get; }

    /// <summary>Pages in the database file before the log's commits.</summary>
    public uint FilePageCount { get; }

    /// <summary>The fingerprint of the file's copy of each page below <see cref="FilePageCount"/> that a commit changes; null when it failed its checksum (a write a crash tore, which the log redoes).</summary>
    public IReadOnlyDictionary<uint, ulong?> FilePages { get; }

    /// <summary>The commits, oldest first.</summary>
    public IReadOnlyList<Commit> Commits { get; }

    /// <summary>
    /// The histories earlier opens recovered since the replicator last shipped (oldest first), as
    /// <see cref="RecoveredHistoryFile"/> kept them; their <see cref="LastCommit"/> means nothing (another log's), and
    /// each is only a claim until the replicator checks that it ends at the state the next one starts from.
    /// </summary>
    public IReadOnlyList<RecoveredHistory> Earlier { get; init; } = [];

    /// <summary>The fingerprint of a page image.</summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> image) => XxHash3.HashToUInt64(image);

    /// <summary>Reads the fingerprints of every committed frame of <paramref name="wal"/> and of the file pages they replace.</summary>
    /// <exception cref="CorruptDatabaseException">A frame does not decode.</exception>
    public static RecoveredHistory Read(WriteAheadLog wal, DatabaseFile file)
    {
        var image = new byte[wal.PageSize];
        var fileImage = new byte[wal.PageSize]; // the file's copy of a page: never read into image, which is the frame's
        var commits = new List<Commit>();
        var pages = new Dictionary<uint, ulong>();
        var filePages = new Dictionary<uint, ulong?>();
        byte[]? header = null; // page 0's newest image: the file's until a frame replaces it
        bool complete = true;
        for (long frame = 1; frame <= wal.LastCommit.LastCommitFrame.Value; frame++)
        {
            var index = new FrameIndex(frame);
            if (!wal.TryGetFrame(index, out PageNumber page, out uint commitSize) || !wal.TryReadFrame(index, image))
            {
                complete = false;
                continue;
            }
            if (page == PageNumber.Header)
                header = (byte[])image.Clone();
            else
                pages[page.Value] = Fingerprint(image);
            if (page.Value < file.PageCount && !filePages.ContainsKey(page.Value))
                filePages[page.Value] = FileFingerprint(file, page, fileImage);
            if (commitSize == 0)
                continue;
            if (header is null && !TryReadFileHeader(file, filePages, out header))
                complete = false;
            else
                pages[PageNumber.Header.Value] = StampedFingerprint(header!, commitSize);
            commits.Add(new Commit(commitSize, [.. pages.Select(p => (new PageNumber(p.Key), p.Value))]));
            pages.Clear();
        }
        return new RecoveredHistory(wal.LastCommit, complete, file.PageCount, filePages, commits);
    }

    /// <summary>Reads the file's page 0 (and notes its fingerprint as a file page a commit changes); false when it fails its checksum.</summary>
    private static bool TryReadFileHeader(DatabaseFile file, Dictionary<uint, ulong?> filePages, out byte[]? header)
    {
        header = new byte[file.PageSize];
        ulong? fingerprint = FileFingerprint(file, PageNumber.Header, header);
        filePages.TryAdd(PageNumber.Header.Value, fingerprint);
        if (fingerprint is null)
            header = null;
        return header is not null;
    }

    /// <summary>The fingerprint of <paramref name="header"/> with <paramref name="size"/> stamped as its page count, the image left as it was.</summary>
    private static ulong StampedFingerprint(byte[] header, uint size)
    {
        byte[] stamped = (byte[])header.Clone();
        HeaderPageCount.Stamp(stamped, size);
        return Fingerprint(stamped);
    }

    private static ulong? FileFingerprint(DatabaseFile file, PageNumber page, byte[] image)
    {
        try
        {
            file.ReadPage(page, image);
            return Fingerprint(image);
        }
        catch (CorruptDatabaseException)
        {
            return null;
        }
    }

    /// <summary>One recovered commit.</summary>
    /// <param name="PageCount">Pages in the database after it.</param>
    /// <param name="Pages">The pages it wrote and the fingerprints of their images after it.</param>
    internal sealed record Commit(uint PageCount, IReadOnlyList<(PageNumber Page, ulong Fingerprint)> Pages);
}
