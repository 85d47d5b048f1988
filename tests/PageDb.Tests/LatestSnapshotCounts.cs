using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Tests;

/// <summary>
/// The page counts a new read transaction sees: the size its commit records and the count its page 0 holds, which
/// differ after unlogged growth (docs/FORMAT.md). Linked into PageDb.Replication.Tests too.
/// </summary>
internal static class LatestSnapshotCounts
{
    /// <summary>The database size the last commit records (a snapshot's page count).</summary>
    public static uint SizeOf(PageDatabase db)
    {
        using ReadTransaction read = db.BeginRead();
        return read.Pages.PageCount;
    }

    /// <summary>The page count in page 0 as the latest snapshot reads it (from the log, or the file).</summary>
    public static uint HeaderCount(PageDatabase db)
    {
        using ReadTransaction read = db.BeginRead();
        using PageHandle header = read.Pages.Read(PageNumber.Header);
        return new FileHeaderPageReader(header.Data).PageCount;
    }
}
