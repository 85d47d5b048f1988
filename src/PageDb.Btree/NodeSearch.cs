using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>
/// Binary search over a node's cell pointers, reading keys in place (no allocation), and child lookup. Every length
/// read on the way is checked, so a damaged page raises <see cref="CorruptDatabaseException"/>, never a wrong answer.
/// </summary>
internal static class NodeSearch
{
    /// <summary>The most cells <see cref="PrefetchLeafProbes"/> requests one by one (64 prefetches cost tens of nanoseconds).</summary>
    private const int MaxCellsPrefetched = 64;

    private const int CacheLineSize = 64;

    /// <summary>
    /// Requests, all at once, the cells a point descent may compare in a leaf it has just pinned, when it has not
    /// requested the whole page (a put's descent, or the first one of a tree object: BTree.DescendToLeaf). A leaf is the page
    /// of a lookup that a CPU cache is least likely to hold (interior pages are few and visited by every lookup);
    /// there the reads of a search are otherwise a chain of cache misses, each waiting for the comparison before it,
    /// and requested together they overlap. A leaf of at most <see cref="MaxCellsPrefetched"/> cells averaging a cache
    /// line or more has every cell requested (each cell is then about a line of its own, which a probe would miss),
    /// so no probe of the binary search waits for memory once the first request is served (W3's leaves hold about 25
    /// cells, 5 probes deep). A fuller leaf, of small cells sharing lines, has the first and last cells
    /// requested (the bounds check, <see cref="DescentBounds"/>) and the 7 of <see cref="SearchLeaf"/>'s first three
    /// levels, whichever way its comparisons go. A hint to the CPU: it changes no result and checks nothing (the reads
    /// that follow do).
    /// </summary>
    public static void PrefetchLeafProbes(SlottedPageReader page)
    {
        int count = page.CellCount;
        if (count <= Math.Min(MaxCellsPrefetched, page.PageSize / CacheLineSize))
        {
            for (int i = 0; i < count; i++)
                page.PrefetchCell(i, count);
            return;
        }
        int last = count - 1;
        int middle = last >> 1;                // SearchLeaf's first probe over [0, last]
        int left = (middle - 1) >> 1;          // its second, over [0, middle - 1] ...
        int right = (middle + 1 + last) >> 1;  // ... or over [middle + 1, last]
        page.PrefetchCell(0, count);
        page.PrefetchCell(last, count);
        page.PrefetchCell(middle, count);
        page.PrefetchCell(left, count);
        page.PrefetchCell(right, count);
        page.PrefetchCell((left - 1) >> 1, count);
        page.PrefetchCell((left + middle) >> 1, count);
        page.PrefetchCell((middle + right) >> 1, count);
        page.PrefetchCell((right + 1 + last) >> 1, count);
    }

    /// <summary>
    /// The index of <paramref name="key"/> in a leaf when present, else the bitwise complement of where it would go.
    /// With <paramref name="lastFirst"/> (a write's descent) the last key is compared first, so a key past it (keys
    /// inserted in ascending order, as a bulk load's or an auto-increment id's) costs one comparison instead of a
    /// binary search; any other key costs one comparison more.
    /// </summary>
    public static int SearchLeaf(SlottedPageReader page, ReadOnlySpan<byte> key, LeafCellFormat format, PageNumber number, string filePath, bool lastFirst = false)
    {
        int low = 0;
        int high = page.CellCount - 1;
        if (lastFirst && high >= 0)
        {
            if (KeyComparer.Compare(LeafCell.ReadKey(page.GetCell(high), format, number, filePath), key) < 0)
                return ~page.CellCount;
        }
        while (low <= high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            int order = KeyComparer.Compare(LeafCell.ReadKey(page.GetCell(middle), format, number, filePath), key);
            if (order == 0)
                return middle;
            if (order < 0)
                low = middle + 1;
            else
                high = middle - 1;
        }
        return ~low;
    }

    /// <summary>
    /// The index of the child of an interior page that holds <paramref name="key"/>: the first cell whose separator
    /// is greater than the key, or the cell count for the rightmost child. With <paramref name="lastFirst"/> the last
    /// separator is compared first, as in <see cref="SearchLeaf"/>.
    /// </summary>
    public static int SearchInterior(SlottedPageReader page, ReadOnlySpan<byte> key, PageNumber number, string filePath, bool lastFirst = false)
    {
        int low = 0;
        int high = page.CellCount;
        if (lastFirst && high > 0)
        {
            if (KeyComparer.Compare(InteriorCell.ReadKey(page.GetCell(high - 1), number, filePath), key) <= 0)
                return high;
        }
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (KeyComparer.Compare(InteriorCell.ReadKey(page.GetCell(middle), number, filePath), key) <= 0)
                low = middle + 1;
            else
                high = middle;
        }
        return low;
    }

    /// <summary>Child <paramref name="index"/> (0..CellCount) of an interior page; CellCount is the rightmost child.</summary>
    public static PageNumber ChildAt(SlottedPageReader page, int index, PageNumber number, string filePath)
    {
        if (index < page.CellCount)
            return InteriorCell.Read(page.GetCell(index), number, filePath).Child;
        PageNumber rightmost = NodeHeader.GetRightmostChild(page.UserHeader);
        if (rightmost.IsNone)
            ThrowHelper.ThrowCorrupt(filePath, number, "interior page has no rightmost child");
        return rightmost;
    }
}
