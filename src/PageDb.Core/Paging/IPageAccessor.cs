using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// The page interface the upper layers (B+tree, overflow chains, free list users) work through. The engine wires in
/// the implementation: a write transaction over the WAL, or a plain pager over one file.
/// </summary>
/// <remarks>
/// Contract:
/// 1. <see cref="Read"/> returns a page whose checksum was verified when it came from a file.
/// 2. <see cref="Write"/> returns a handle whose changes become part of what the implementation will persist
///    (a transaction's private copy, or a dirty pool frame); other readers never see a half-changed page.
/// 3. <see cref="Allocate"/> returns a zeroed page with its header initialized, reusing a free page before growing.
/// 4. <see cref="Free"/> returns a page to the free list; the caller must hold no handle on it.
/// Implementations say on their type which threads may call them.
/// </remarks>
internal interface IPageAccessor
{
    /// <summary>The size of every page, in bytes.</summary>
    int PageSize { get; }

    /// <summary>The file pages come from, for error messages.</summary>
    string FilePath { get; }

    /// <summary>The file's format version (<see cref="FileHeaderPage"/>), which fixes how pages of some types lay out their contents.</summary>
    uint FormatVersion { get; }

    /// <summary>
    /// Pages that exist, page 0 included: no walk over linked pages (a tree's leaves, a chain) can meet more distinct
    /// pages than this, so it bounds every such walk over a damaged file.
    /// </summary>
    uint PageCount { get; }

    /// <summary>Pins page <paramref name="page"/> for reading.</summary>
    PageHandle Read(PageNumber page);

    /// <summary>Pins page <paramref name="page"/> for changing.</summary>
    PageHandle Write(PageNumber page);

    /// <summary>Takes a free page (or grows the file), initialized as an empty page of <paramref name="type"/>, pinned for writing.</summary>
    PageHandle Allocate(PageType type);

    /// <summary>Returns <paramref name="page"/> to the free list.</summary>
    void Free(PageNumber page);
}
