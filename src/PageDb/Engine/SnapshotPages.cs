using PageDb.Btree;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The pages of one committed snapshot, read-only: page N is the newest WAL frame of N at or before the snapshot's
/// mark, or else the database file's copy. Every version is cached in the shared buffer pool under its own key, so
/// readers of different snapshots and the writer share one cache and never see each other's versions.
/// A file version is lent in place from the mapped database file instead, when the file is mapped and the page passes
/// its checks (<see cref="DatabaseFile.TryLend"/>, docs/architecture/in-place-reads.md).
/// One read transaction uses it from one thread at a time; many instances run at once on different threads.
/// </summary>
/// <remarks>
/// Read transactions take theirs from <see cref="StorageEngine.ReadSnapshots"/> and give it back when they end, and a
/// write transaction's <see cref="TransactionPages"/> keeps one of its own, so a transaction per lookup or commit makes none: <see cref="MoveTo"/> points a reused one at the new snapshot. The trees opened
/// through it (<see cref="OpenTree"/>) stay with it across uses: a <see cref="BTree"/> is only (these pages, a root),
/// and reads the snapshot's pages at each call. Whoever holds it after its transaction ended (a table or tree of that
/// transaction) checks the transaction first, so a reused one is never read on an ended transaction's behalf.
/// </remarks>
internal sealed class SnapshotPages : IPageAccessor
{
    private readonly StorageEngine _engine;

    /// <summary>
    /// The trees opened through these pages, made by the first <see cref="OpenTree"/>: a write transaction's own
    /// snapshot is read only through its page set and the compactor, which open no tree here, so it never makes one.
    /// </summary>
    private OpenedTrees? _trees;

    /// <summary>A snapshot's pages to be pointed at a commit with <see cref="MoveTo"/> before use (a pooled one, or a write transaction's page set's own).</summary>
    public SnapshotPages(StorageEngine engine) => _engine = engine;

    /// <summary>The last commit this snapshot includes.</summary>
    public WalMark Mark { get; private set; }

    /// <summary>Pages in the snapshot, the header included.</summary>
    public uint PageCount { get; private set; }

    /// <summary>Makes these the pages of the snapshot ending at commit <paramref name="mark"/>.</summary>
    public void MoveTo(WalMark mark)
    {
        Mark = mark;
        uint walSize = _engine.Wal.DatabaseSizeAt(mark);
        PageCount = walSize != 0 ? walSize : _engine.File.PageCount;
    }

    /// <summary>The tree rooted at <paramref name="root"/> over these pages: one opened before through them, or a new one.</summary>
    public BTree OpenTree(PageNumber root) => (_trees ??= new OpenedTrees(this)).Open(root);

    public int PageSize => _engine.File.PageSize;

    public string FilePath => _engine.File.Path;

    public uint FormatVersion => _engine.File.FormatVersion;

    public PageHandle Read(PageNumber page)
    {
        if (page.Value >= PageCount)
            ThrowHelper.ThrowCorrupt(FilePath, page, "a link points past the end of the database");
        PageKey key = KeyOf(page);
        if (PageVersions.IsFile(key) && _engine.File.TryLend(page, out PageHandle lent))
            return lent; // no frame of the page in this snapshot: the file's copy, read in place (InPlacePages)
        return _engine.Pool.Pin(key, _engine.Loader);
    }

    /// <summary>The pool key of this snapshot's version of <paramref name="page"/>.</summary>
    public PageKey KeyOf(PageNumber page)
    {
        FrameIndex frame = _engine.Wal.FindFrame(page, Mark);
        return frame.IsNone ? PageKey.FromFile(page) : PageVersions.FromFrame(page, frame);
    }

    public PageHandle Write(PageNumber page) => throw ReadOnly();

    public PageHandle Allocate(PageType type) => throw ReadOnly();

    public void Free(PageNumber page) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() => new("This is a read transaction: begin a write transaction to change the database.");
}
