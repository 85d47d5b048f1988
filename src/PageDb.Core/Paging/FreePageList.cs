using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// The persistent list of free pages, as algorithms over any <see cref="IPageAccessor"/> (a plain pager, or a write
/// transaction): they touch pages only through <see cref="IPageAccessor.Read"/> and <see cref="IPageAccessor.Write"/>,
/// and the header through page 0.
/// </summary>
/// <remarks>
/// Shape: the header's free-list head names the newest trunk; each trunk (<see cref="FreeListTrunkPage"/>) links to the
/// one made before it and lists free pages. <see cref="Push"/> appends to the head trunk; when it is full (or there is
/// none) the freed page itself becomes the new head trunk, so freeing never needs a page it does not already have.
/// <see cref="TryPop"/> takes the head trunk's last entry; when the head trunk is empty the trunk page itself is handed
/// out and its successor becomes the head. Both are O(1) page touches: page 0 and one trunk.
/// The header's free page count is trunks plus entries. Callers are single-threaded (the writer).
/// </remarks>
internal static class FreePageList
{
    /// <summary>
    /// Takes a free page off the list, or returns false when the list is empty. The page's contents are meaningless:
    /// the caller initializes it without reading it. An entry marked free when it was freed is read first and must
    /// still be a page of type <see cref="PageType.Free"/>: anything else is a page in use that a damaged list names,
    /// which the caller would overwrite.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The header or head trunk breaks the free-list invariants, or the entry
    /// handed out is marked free but is not a free page (named).</exception>
    public static bool TryPop(IPageAccessor pages, out PageNumber page)
    {
        ArgumentNullException.ThrowIfNull(pages);
        page = PageNumber.None;
        if (ReadHead(pages).IsNone)
            return false;

        using PageHandle headerHandle = pages.Write(PageNumber.Header);
        var header = new FileHeaderPage(headerHandle.Writable);
        PageNumber head = header.FreeListHead;
        uint pageCount = pages.PageCount;
        CheckHead(pages, head, pageCount, header.FreePageCount);

        using PageHandle trunkHandle = pages.Write(head);
        var trunk = new FreeListTrunkPage(trunkHandle.Writable);
        FreeListTrunkPageReader trunkReader = trunk.AsReader();
        trunkReader.CheckStructure(head, pageCount, pages.FilePath);
        if (trunk.Count > 0)
        {
            PageNumber entry = trunkReader.GetEntry(trunk.Count - 1);
            FreeListTrunkPageReader.CheckEntry(entry, head, pageCount, pages.FilePath);
            if (trunkReader.IsMarked(trunk.Count - 1))
                CheckMarkedFree(pages, entry, head);
            page = trunk.RemoveLast();
        }
        else
        {
            page = head;
            header.FreeListHead = trunk.Next;
        }
        header.FreePageCount--;
        return true;
    }

    /// <summary>
    /// Puts <paramref name="page"/> on the list. Returns true when it became the new head trunk, false when it was
    /// recorded as an entry, and then rewritten as a page of type <see cref="PageType.Free"/> (its mark).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="page"/> is the header or past the end.</exception>
    /// <exception cref="CorruptDatabaseException">The header or head trunk breaks the free-list invariants.</exception>
    public static bool Push(IPageAccessor pages, PageNumber page)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (page.IsNone)
            throw new ArgumentOutOfRangeException(nameof(page), "page 0 (the file header) is never freed");

        using PageHandle headerHandle = pages.Write(PageNumber.Header);
        var header = new FileHeaderPage(headerHandle.Writable);
        uint pageCount = pages.PageCount;
        if (page.Value >= pageCount)
            throw new ArgumentOutOfRangeException(nameof(page), page.Value, "the page is past the end of the database");
        PageNumber head = header.FreeListHead;
        CheckHead(pages, head, pageCount, header.FreePageCount);

        bool becomesTrunk = head.IsNone || HeadTrunkIsFull(pages, head, pageCount);
        if (becomesTrunk)
        {
            using PageHandle newTrunk = pages.Write(page);
            FreeListTrunkPage.Format(newTrunk.Writable, page, head);
            header.FreeListHead = page;
        }
        else
        {
            using (PageHandle freed = pages.Write(page))
                PageHeader.Initialize(freed.Writable, PageType.Free, page); // the mark TryPop checks
            using PageHandle trunkHandle = pages.Write(head);
            new FreeListTrunkPage(trunkHandle.Writable).Add(page);
        }
        header.FreePageCount++;
        return becomesTrunk;
    }

    /// <summary>
    /// Adds every page on the free list (trunks and entries) to <paramref name="into"/> and returns how many, checking
    /// the whole list: every trunk's invariants, no page listed twice (which also catches cycles), and a total equal
    /// to the header's free page count. For checkers ("no page lost, none used twice"). The entries marked free are
    /// also added to <paramref name="marked"/> when given: each must be a page of type <see cref="PageType.Free"/>.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">Any check fails; names the page at fault.</exception>
    public static int CollectPages(IPageAccessor pages, ICollection<PageNumber> into, ICollection<PageNumber>? marked = null)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(into);
        PageNumber trunkNumber;
        uint pageCount, expected;
        using (PageHandle headerHandle = pages.Read(PageNumber.Header))
        {
            var header = new FileHeaderPageReader(headerHandle.Data);
            trunkNumber = header.FreeListHead;
            pageCount = pages.PageCount;
            expected = header.FreePageCount;
        }
        CheckHead(pages, trunkNumber, pageCount, expected);

        var seen = new HashSet<PageNumber>();
        while (!trunkNumber.IsNone)
        {
            AddOnce(seen, into, trunkNumber, trunkNumber, pages.FilePath, expected);
            using PageHandle trunkHandle = pages.Read(trunkNumber);
            var trunk = new FreeListTrunkPageReader(trunkHandle.Data);
            trunk.Verify(trunkNumber, pageCount, pages.FilePath);
            int firstMarked = trunk.FirstMarked;
            for (int i = 0; i < trunk.Count; i++)
            {
                AddOnce(seen, into, trunk.GetEntry(i), trunkNumber, pages.FilePath, expected);
                if (i >= firstMarked)
                    marked?.Add(trunk.GetEntry(i));
            }
            trunkNumber = trunk.Next;
        }
        if (seen.Count != expected)
            ThrowHelper.ThrowCorrupt(pages.FilePath, PageNumber.Header, "the free page count disagrees with the pages on the free list");
        return seen.Count;
    }

    private static PageNumber ReadHead(IPageAccessor pages)
    {
        using PageHandle headerHandle = pages.Read(PageNumber.Header);
        return new FileHeaderPageReader(headerHandle.Data).FreeListHead;
    }

    private static void CheckHead(IPageAccessor pages, PageNumber head, uint pageCount, uint freePageCount)
    {
        if (head.Value >= pageCount || freePageCount >= pageCount || head.IsNone != (freePageCount == 0))
            ThrowHelper.ThrowCorrupt(pages.FilePath, PageNumber.Header, "the free-list head or free page count is inconsistent");
    }

    /// <summary>Throws when <paramref name="entry"/> of trunk <paramref name="trunk"/>, marked free when freed, is not a free page now.</summary>
    private static void CheckMarkedFree(IPageAccessor pages, PageNumber entry, PageNumber trunk)
    {
        using PageHandle handle = pages.Read(entry);
        if (PageHeader.GetType(handle.Data) != PageType.Free)
            ThrowHelper.ThrowCorrupt(pages.FilePath, entry, $"free-list trunk {trunk} lists this page as free, but it is not marked free (a page still in use, or damaged)");
    }

    private static bool HeadTrunkIsFull(IPageAccessor pages, PageNumber head, uint pageCount)
    {
        using PageHandle trunkHandle = pages.Read(head);
        var trunk = new FreeListTrunkPageReader(trunkHandle.Data);
        trunk.CheckStructure(head, pageCount, pages.FilePath);
        return trunk.Count >= FreeListTrunkPage.CapacityFor(trunkHandle.Data.Length);
    }

    private static void AddOnce(HashSet<PageNumber> seen, ICollection<PageNumber> into, PageNumber page, PageNumber foundOn, string filePath, uint expected)
    {
        if (!seen.Add(page))
            ThrowHelper.ThrowCorrupt(filePath, foundOn, "the free list names a page twice (a cycle or a double free)");
        if ((uint)seen.Count > expected)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "the free list holds more pages than the header's free page count");
        into.Add(page);
    }
}
