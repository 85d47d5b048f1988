using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The pages of one committed snapshot, read-only: page N is the newest WAL frame of N at or before the snapshot's
/// mark, or else the database file's copy. Every version is cached in the shared buffer pool under its own key, so
/// readers of different snapshots and the writer share one cache and never see each other's versions.
/// One read transaction uses it from one thread at a time; many instances run at once on different threads.
/// </summary>
internal sealed class SnapshotPages : IPageAccessor
{
    private readonly StorageEngine _engine;

    public SnapshotPages(StorageEngine engine, WalMark mark)
    {
        _engine = engine;
        Mark = mark;
        uint walSize = engine.Wal.DatabaseSizeAt(mark);
        PageCount = walSize != 0 ? walSize : engine.File.PageCount;
    }

    /// <summary>The last commit this snapshot includes.</summary>
    public WalMark Mark { get; }

    /// <summary>Pages in the snapshot, the header included.</summary>
    public uint PageCount { get; }

    public int PageSize => _engine.File.PageSize;

    public string FilePath => _engine.File.Path;

    public uint FormatVersion => _engine.File.FormatVersion;

    public PageHandle Read(PageNumber page)
    {
        if (page.Value >= PageCount)
            ThrowHelper.ThrowCorrupt(FilePath, page, "a link points past the end of the database");
        return _engine.Pool.Pin(KeyOf(page), _engine.Loader);
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
