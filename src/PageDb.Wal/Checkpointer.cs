using System.Buffers;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Copies committed page versions from the log into the database file. For every page with a frame after the last
/// checkpoint and at or before the mark, it writes the newest such frame (in page order, so the database file is
/// written front to back), sets the database size recorded by the mark's commit frame, and syncs.
/// The order that makes a crash at any point safe:
/// 1. The log is synced first (when syncs are enabled): a page copied into the database file must never be durable
///    while the commit it came from is not, or a crash could leave the file with half a transaction.
/// 2. A page at or past the database size the mark's commit records is not copied: a later commit up to the mark (a
///    compaction) cut it off, so no snapshot from the mark on reads this version (one that has the page again
///    allocated it anew, which logged a newer frame), and the size set afterwards cuts the file there. The size is the
///    mark's, never the log's last commit's: a background checkpoint runs beside the writer, whose newer commits may
///    shrink the database while readers between the mark and them still need the page, and are not yet durable.
/// 3. The database file is synced before anything is allowed to forget frames (the restart, in
///    <see cref="WriteAheadLog.Checkpoint"/>): until then, recovery replays the log over the partly copied file,
///    which rewrites the same pages with the same bytes (copying is idempotent).
/// </summary>
internal static class Checkpointer
{
    /// <summary>Copies the pages changed in (<paramref name="after"/>, <paramref name="upTo"/>] into <paramref name="target"/> and returns how many.</summary>
    public static int CopyPages(WriteAheadLog log, WalIndex index, ICheckpointTarget target, WalMark after, WalMark upTo)
    {
        var pages = new List<(PageNumber Page, FrameIndex Frame)>();
        index.CollectNewest(after, upTo, pages);
        uint size = index.GetEntry(upTo.LastCommitFrame).CommitSize;
        pages.RemoveAll(entry => entry.Page.Value >= size);
        pages.Sort(static (a, b) => a.Page.CompareTo(b.Page));
        byte[] image = ArrayPool<byte>.Shared.Rent(log.PageSize);
        try
        {
            foreach ((PageNumber page, FrameIndex frame) in pages)
            {
                log.ReadOwnFrame(frame, image.AsSpan(0, log.PageSize));
                target.WritePage(page, image.AsSpan(0, log.PageSize));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(image);
        }
        return pages.Count;
    }
}
