using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The database file as a checkpoint's destination. Writing a page makes the pool's cached database-file copy of it
/// stale, so that copy is dropped: no reader can need it, because the WAL copies a page only up to the oldest reader's
/// snapshot, and every such reader finds the page's WAL frame first. Page 0 is the exception: when the copied range
/// has no frame of it (the commits only grew the database, docs/FORMAT.md "Unlogged growth") the file's own header is
/// rewritten in place with the new page count while readers, the writer included, may be reading it from the file.
/// That is safe because the rewrite changes only the count and the checksum, page 0 is never lent in place, and a read
/// of it that the write tore is read again (<c>DatabaseFile.ReadVerified</c>); a reader's copy with the old count is
/// as good as the new (the count a snapshot uses is its commit's, <see cref="HeaderPageCount"/>).
/// Each frame's page checksum and page number are verified before the page is written, and the page is written as
/// the log stored it (never sealed afresh): a frame damaged in the log after it was committed (the chain is checked
/// only by recovery) must fail the checkpoint as <see cref="CorruptDatabaseException"/> naming the log, not become a
/// database page with a valid checksum over the wrong bytes. (A count frame's page is sealed afresh by the log, but
/// only after its base frame's checksum was checked: docs/FORMAT.md, "Count frames".)
/// </summary>
/// <remarks>
/// Order, so that a crash at any point leaves a header that matches the file (the WAL keeps every frame until the
/// checkpoint has synced, so recovery redoes the rest):
/// 1. every page but the header is written and the file grows as needed; 2. sync; 3. the header (page 0) is written;
/// 4. sync; 5. only now is the file cut when it shrank. So the header never counts pages the file lacks.
/// The header written carries the checkpointed commit's size (<see cref="SetPageCount"/> stamps it,
/// <see cref="HeaderPageCount"/>): a commit that only grew the database did not log page 0, so the newest page 0 in
/// the range, or the file's own when the range has none, may count fewer pages. A torn header write is harmless: when
/// the range holds page 0 the WAL still has it (see <see cref="HeaderRepair"/>); when it does not, the header written
/// differs from the file's only in its page count and checksum, both in its first 16 + 32 bytes, one 512-byte sector,
/// which a crash leaves old or new, never mixed.
/// With syncs disabled (Durability.None) the WAL never calls <see cref="Sync"/>: the header is written when the page
/// count is set, after the file has grown (before it shrinks), so that a crash of the process alone (the OS keeps every
/// write) still never leaves a header counting pages the file lacks. A power loss may: None promises nothing then.
/// Used by one checkpoint at a time, under the engine's checkpoint lock: the writer's (explicit checkpoints, close) or
/// the background checkpointer's.
/// </remarks>
internal sealed class CheckpointTarget(DatabaseFile file, BufferPool pool, bool syncsEnabled, WriteAheadLog wal) : ICheckpointTarget
{
    private readonly byte[] _header = new byte[file.PageSize];
    private bool _headerPending;
    private uint _shrinkTo;

    public void BeginCopy()
    {
        _headerPending = false;
        _shrinkTo = 0;
    }

    public void WritePage(PageNumber page, ReadOnlySpan<byte> image)
    {
        PageHeader.Verify(image, page, wal.FilePath);
        if (page == PageNumber.Header)
        {
            image.CopyTo(_header);
            _headerPending = true;
            return;
        }
        if (page.Value >= file.PageCount)
            file.SetPageCount(page.Value + 1);
        file.WriteSealedPage(page, image);
        pool.Remove(PageKey.FromFile(page));
    }

    public void SetPageCount(uint pageCount)
    {
        StampHeader(pageCount);
        if (pageCount >= file.PageCount)
        {
            file.SetPageCount(pageCount);
            file.ExtendToPageCount();
        }
        else if (syncsEnabled)
        {
            _shrinkTo = pageCount;
        }
        else
        {
            WritePendingHeader();
            file.Truncate(pageCount);
        }
        if (!syncsEnabled)
            WritePendingHeader();
    }

    public void Sync()
    {
        file.Sync();
        if (_headerPending)
        {
            WritePendingHeader();
            file.Sync();
        }
        if (_shrinkTo != 0)
        {
            file.Truncate(_shrinkTo);
            _shrinkTo = 0;
            file.Sync();
        }
    }

    /// <summary>
    /// Makes the header to write count <paramref name="pageCount"/> pages: the pending one from the log, else the
    /// file's own, read back, when it counts fewer pages (then it becomes pending; a header counting as many or more is
    /// not rewritten, since <see cref="HeaderPageCount.Stamp"/> would leave it as it is).
    /// </summary>
    private void StampHeader(uint pageCount)
    {
        if (!_headerPending)
        {
            file.ReadHeader(_header);
            _headerPending = new FileHeaderPageReader(_header).PageCount < pageCount;
        }
        if (_headerPending)
            HeaderPageCount.Stamp(_header, pageCount);
    }

    private void WritePendingHeader()
    {
        if (!_headerPending)
            return;
        _headerPending = false;
        file.WriteSealedPage(PageNumber.Header, _header);
        pool.Remove(PageKey.FromFile(PageNumber.Header));
    }
}
