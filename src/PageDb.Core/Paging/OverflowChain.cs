using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// Chains of <see cref="OverflowPage"/>s holding the part of a payload that does not fit in its cell. Chains are
/// checked as they are followed: a page of the wrong type, an impossible length, a chain longer or shorter than the
/// payload, or a cycle is reported as <see cref="CorruptDatabaseException"/>.
/// </summary>
internal static class OverflowChain
{
    /// <summary>Stores <paramref name="data"/> (at least 1 byte) in newly allocated pages; returns the first.</summary>
    public static PageNumber Write(IPageAccessor pages, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentOutOfRangeException.ThrowIfZero(data.Length);
        int capacity = OverflowPage.Capacity(pages.PageSize);
        PageHandle current = pages.Allocate(PageType.Overflow);
        PageNumber first = current.Number;
        try
        {
            while (true)
            {
                int take = Math.Min(capacity, data.Length);
                new OverflowPage(current.Writable).SetData(data[..take]);
                data = data[take..];
                if (data.IsEmpty)
                    return first;
                PageHandle next = pages.Allocate(PageType.Overflow);
                new OverflowPage(current.Writable).SetNext(next.Number);
                current.Dispose();
                current = next;
            }
        }
        finally
        {
            current.Dispose();
        }
    }

    /// <summary>Reads exactly <c>destination.Length</c> bytes from the chain starting at <paramref name="first"/>.</summary>
    public static void Read(IPageAccessor pages, PageNumber first, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(pages);
        int capacity = OverflowPage.Capacity(pages.PageSize);
        PageNumber page = first;
        int filled = 0;
        while (filled < destination.Length)
        {
            if (page.IsNone)
                ThrowHelper.ThrowCorrupt(pages.FilePath, first, "overflow chain ends before its payload does");
            using PageHandle handle = ReadLink(pages, page);
            ReadOnlySpan<byte> data = OverflowPage.GetData(handle.Data, page, pages.FilePath);
            bool last = filled + data.Length >= destination.Length;
            if ((!last && data.Length != capacity) || filled + data.Length > destination.Length)
                ThrowHelper.ThrowCorrupt(pages.FilePath, page, "overflow page length disagrees with the payload length");
            data.CopyTo(destination[filled..]);
            filled += data.Length;
            page = OverflowPage.GetNext(handle.Data);
        }
        if (!page.IsNone)
            ThrowHelper.ThrowCorrupt(pages.FilePath, first, "overflow chain continues past its payload");
    }

    /// <summary>Frees every page of the chain starting at <paramref name="first"/>.</summary>
    public static void Free(IPageAccessor pages, PageNumber first)
    {
        var chain = new List<PageNumber>();
        CollectPages(pages, first, chain);
        foreach (PageNumber page in chain)
            pages.Free(page);
    }

    /// <summary>The number of pages in the chain starting at <paramref name="first"/>.</summary>
    public static int CountPages(IPageAccessor pages, PageNumber first)
    {
        var chain = new List<PageNumber>();
        CollectPages(pages, first, chain);
        return chain.Count;
    }

    /// <summary>Adds every page of the chain starting at <paramref name="first"/> to <paramref name="into"/>, in chain order.</summary>
    public static void CollectPages(IPageAccessor pages, PageNumber first, ICollection<PageNumber> into)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(into);
        var seen = new HashSet<uint>();
        for (PageNumber page = first; !page.IsNone;)
        {
            if (!seen.Add(page.Value))
                ThrowHelper.ThrowCorrupt(pages.FilePath, page, "overflow chain loops back on itself");
            using PageHandle handle = ReadLink(pages, page);
            OverflowPage.GetData(handle.Data, page, pages.FilePath);
            into.Add(page);
            page = OverflowPage.GetNext(handle.Data);
        }
    }

    private static PageHandle ReadLink(IPageAccessor pages, PageNumber page)
    {
        PageHandle handle = pages.Read(page);
        PageType type = handle.Type;
        if (type != PageType.Overflow)
        {
            handle.Dispose();
            ThrowHelper.ThrowCorrupt(pages.FilePath, page, $"expected an overflow page, found {type}");
        }
        return handle;
    }
}
