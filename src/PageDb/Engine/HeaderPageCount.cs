using PageDb.Core.Pages;

namespace PageDb.Engine;

/// <summary>
/// The page count in page 0 (the file header) against the database size a commit records. The size is the commit
/// frame's (WAL invariant 6, docs/FORMAT.md "Unlogged growth"): a commit that only grows the database does not log
/// page 0, so page 0 as a snapshot reads it (its newest logged version, or the file's) may count fewer pages than the
/// snapshot has, never more. Whatever makes that page a file's header (a checkpoint, a backup, a replication
/// segment, a header repair) stamps the size on it here first.
/// </summary>
internal static class HeaderPageCount
{
    /// <summary>
    /// True when <paramref name="header"/>'s page count may belong to a database of <paramref name="size"/> pages:
    /// it is not larger.
    /// </summary>
    public static bool Fits(ReadOnlySpan<byte> header, uint size) => new FileHeaderPageReader(header).PageCount <= size;

    /// <summary>
    /// Sets <paramref name="header"/>'s page count to <paramref name="size"/> and seals it (page number and checksum)
    /// when it counts fewer pages; leaves it byte for byte otherwise. A header that counts more (not <see cref="Fits"/>)
    /// was never written so by PageDb: it is kept as it is, for the integrity check to report and the catalog to refuse,
    /// never made to look sound.
    /// </summary>
    public static void Stamp(Span<byte> header, uint size)
    {
        if (new FileHeaderPageReader(header).PageCount >= size)
            return;
        new FileHeaderPage(header).PageCount = size;
        PageHeader.Seal(header, PageNumber.Header);
    }
}
