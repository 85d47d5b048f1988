using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Where a checkpoint copies pages: the database file, as the engine sees it. The engine implements it (and drops any
/// cached database-file version of a page it is told to write).
/// </summary>
internal interface ICheckpointTarget
{
    /// <summary>Writes <paramref name="image"/> (exactly one page, as it was logged) at <paramref name="page"/>.</summary>
    void WritePage(PageNumber page, ReadOnlySpan<byte> image);

    /// <summary>Sets the database file's size to <paramref name="pageCount"/> pages (growing or shrinking it).</summary>
    void SetPageCount(uint pageCount);

    /// <summary>Makes every write so far durable. Any exception is treated as fatal: the log refuses further work.</summary>
    void Sync();
}
