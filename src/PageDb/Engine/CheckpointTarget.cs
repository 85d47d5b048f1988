using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The database file as a checkpoint's destination. Writing a page makes the pool's cached database-file copy of it
/// stale, so that copy is dropped: no reader can need it, because the WAL copies a page only up to the oldest reader's
/// snapshot, and every such reader finds the page's WAL frame first.
/// Used only by the writer (the holder of the write gate).
/// </summary>
internal sealed class CheckpointTarget(DatabaseFile file, BufferPool pool) : ICheckpointTarget
{
    private readonly byte[] _scratch = new byte[file.PageSize]; // sealing writes into the page: never into the log's buffer

    public void WritePage(PageNumber page, ReadOnlySpan<byte> image)
    {
        if (page.Value >= file.PageCount)
            file.SetPageCount(page.Value + 1);
        image.CopyTo(_scratch);
        file.WritePage(page, _scratch);
        pool.Remove(PageKey.FromFile(page));
    }

    public void SetPageCount(uint pageCount)
    {
        if (pageCount < file.PageCount)
            file.Truncate(pageCount);
        else
            file.SetPageCount(pageCount);
    }

    public void Sync() => file.Sync();
}
