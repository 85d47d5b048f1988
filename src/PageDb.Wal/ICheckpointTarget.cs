using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// Where a checkpoint copies pages: the database file, as the engine sees it. The engine implements it (and drops any
/// cached database-file version of a page it is told to write).
/// </summary>
internal interface ICheckpointTarget
{
    /// <summary>
    /// Starts a copy: forgets whatever an earlier copy that failed part-way left pending (a checkpoint that stopped on a
    /// damaged frame does not fail the log, so the next one may use the same target).
    /// </summary>
    void BeginCopy();

    /// <summary>Writes <paramref name="image"/> (exactly one page, as it was logged) at <paramref name="page"/>.</summary>
    void WritePage(PageNumber page, ReadOnlySpan<byte> image);

    /// <summary>Sets the database file's size to <paramref name="pageCount"/> pages (growing or shrinking it).</summary>
    void SetPageCount(uint pageCount);

    /// <summary>Makes every write so far durable. Any exception is treated as fatal: the log refuses further work.</summary>
    void Sync();
}
