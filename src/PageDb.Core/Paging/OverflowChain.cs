using System.IO.Hashing;
using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// Chains of <see cref="OverflowPage"/>s holding the part of a payload that does not fit in its cell. Chains are
/// checked as they are followed: a page of the wrong type, an impossible length, a chain longer or shorter than the
/// payload, a cycle, or a page owned by another chain is reported as <see cref="CorruptDatabaseException"/>.
/// </summary>
/// <remarks>
/// Every page of a chain records its owner (<see cref="OwnerOf"/> the key of the cell that links to it), and readers
/// check it on every page, so a link or a cell that points into another value's chain is refused when it is followed,
/// even when the rest of that chain has exactly the length the value needs (the pages of each chain would read as well
/// formed, and only a walk of the whole file would see two values reach one page). A chain whose first page records
/// owner 0 was written before owners were recorded: its pages must all record 0, and its owner is not checked.
/// </remarks>
internal static class OverflowChain
{
    /// <summary>The owner that the chain of the value stored under <paramref name="key"/> records: never 0.</summary>
    public static uint OwnerOf(ReadOnlySpan<byte> key) => Math.Max(1u, XxHash32.HashToUInt32(key));

    /// <summary>Stores <paramref name="data"/> (at least 1 byte) in newly allocated pages owned by <paramref name="owner"/>; returns the first.</summary>
    public static PageNumber Write(IPageAccessor pages, ReadOnlySpan<byte> data, uint owner)
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
                var page = new OverflowPage(current.Writable);
                page.SetOwner(owner);
                page.SetData(data[..take]);
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

    /// <summary>Reads exactly <c>destination.Length</c> bytes from the chain of <paramref name="owner"/> starting at <paramref name="first"/>.</summary>
    public static void Read(IPageAccessor pages, PageNumber first, uint owner, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(pages);
        int capacity = OverflowPage.Capacity(pages.PageSize);
        PageNumber page = first;
        int filled = 0;
        while (filled < destination.Length)
        {
            if (page.IsNone)
                ThrowHelper.ThrowCorrupt(pages.FilePath, first, "overflow chain ends before its payload does");
            using PageHandle handle = ReadLink(pages, page, first, ref owner);
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

    /// <summary>Frees every page of the chain of <paramref name="owner"/> starting at <paramref name="first"/>.</summary>
    public static void Free(IPageAccessor pages, PageNumber first, uint owner)
    {
        var chain = new List<PageNumber>();
        CollectPages(pages, first, owner, chain);
        foreach (PageNumber page in chain)
            pages.Free(page);
    }

    /// <summary>The number of pages in the chain of <paramref name="owner"/> starting at <paramref name="first"/>.</summary>
    public static int CountPages(IPageAccessor pages, PageNumber first, uint owner)
    {
        var chain = new List<PageNumber>();
        CollectPages(pages, first, owner, chain);
        return chain.Count;
    }

    /// <summary>Adds every page of the chain of <paramref name="owner"/> starting at <paramref name="first"/> to <paramref name="into"/>, in chain order.</summary>
    public static void CollectPages(IPageAccessor pages, PageNumber first, uint owner, ICollection<PageNumber> into)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(into);
        var seen = new HashSet<uint>();
        for (PageNumber page = first; !page.IsNone;)
        {
            if (!seen.Add(page.Value))
                ThrowHelper.ThrowCorrupt(pages.FilePath, page, "overflow chain loops back on itself");
            using PageHandle handle = ReadLink(pages, page, first, ref owner);
            OverflowPage.GetData(handle.Data, page, pages.FilePath);
            into.Add(page);
            page = OverflowPage.GetNext(handle.Data);
        }
    }

    /// <summary>
    /// Reads link <paramref name="page"/> of the chain starting at <paramref name="first"/>, checking its type and owner;
    /// on the first page, an owner of 0 (a chain written before owners were recorded) makes 0 the owner expected after it.
    /// </summary>
    private static PageHandle ReadLink(IPageAccessor pages, PageNumber page, PageNumber first, ref uint owner)
    {
        PageHandle handle = pages.Read(page);
        PageType type = handle.Type;
        if (type != PageType.Overflow)
        {
            handle.Dispose();
            ThrowHelper.ThrowCorrupt(pages.FilePath, page, $"expected an overflow page, found {type}");
        }
        uint recorded = OverflowPage.GetOwner(handle.Data);
        if (page == first && recorded == 0)
            owner = 0;
        if (recorded != owner)
        {
            handle.Dispose();
            ThrowHelper.ThrowCorrupt(pages.FilePath, page, $"overflow page belongs to another value's chain (owner {recorded:x8}, expected {owner:x8})");
        }
        return handle;
    }
}
