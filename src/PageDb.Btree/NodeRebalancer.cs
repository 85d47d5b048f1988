using System.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// Keeps a tree balanced after deletes. A node below a quarter full (or empty) is merged with a sibling when both
/// fit on one page, and otherwise shares the sibling's cells evenly by bytes. The root shrinks when it has a single
/// child by copying that child up, so the root's page number never changes.
/// Merges keep the right page of the pair and free the left: the parent then drops the left page's cell, and every
/// other link stays valid. Redistribution changes the parent's separator first, and is skipped (the tree stays valid,
/// only less full) when the new separator is longer and the parent has no room for it.
/// </summary>
internal static class NodeRebalancer
{
    /// <summary>True when a non-root node should be rebalanced: no cells, or less than a quarter of the page used.</summary>
    public static bool IsUnderfull(IPageAccessor pages, PageNumber node)
    {
        using PageHandle handle = pages.Read(node);
        var page = new SlottedPageReader(handle.Data, pages.FilePath);
        return page.CellCount == 0 || page.UsedSpace < NodeHeader.Capacity(pages.PageSize) / 4;
    }

    /// <summary>
    /// Rebalances child <paramref name="childIndex"/> of <paramref name="parent"/> with a sibling. Returns true when
    /// the two merged, so the parent lost a cell and may be underfull in turn.
    /// </summary>
    public static bool RebalanceChild(IPageAccessor pages, PageNumber parent, int childIndex)
    {
        using PageHandle parentHandle = pages.Write(parent);
        var parentPage = new SlottedPage(parentHandle.Writable, pages.FilePath);
        if (parentPage.CellCount == 0)
            return false;
        int pair = Math.Max(childIndex - 1, 0);
        PageNumber left = InteriorCell.Read(parentPage.GetCell(pair), parent, pages.FilePath).Child;
        PageNumber right = NodeSearch.ChildAt(parentPage.AsReader(), pair + 1, parent, pages.FilePath);

        byte[] scratch = ArrayPool<byte>.Shared.Rent((2 * pages.PageSize) + (2 * InteriorCell.MaxLength));
        try
        {
            return Rebalance(pages, parentPage, pair, left, right, scratch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>While the root is an interior page with no cells, replaces it by its only child.</summary>
    /// <returns>The number of levels removed.</returns>
    public static int CollapseRoot(IPageAccessor pages, PageNumber root)
    {
        int removed = 0;
        while (TryCollapseOnce(pages, root))
            removed++;
        return removed;
    }

    private static bool Rebalance(IPageAccessor pages, SlottedPage parentPage, int pair, PageNumber left, PageNumber right, byte[] scratch)
    {
        int pageSize = pages.PageSize;
        Span<byte> leftCopy = scratch.AsSpan(0, pageSize);
        Span<byte> rightCopy = scratch.AsSpan(pageSize, pageSize);
        Span<byte> middle = scratch.AsSpan(2 * pageSize, InteriorCell.MaxLength);
        Span<byte> newParentCell = scratch.AsSpan((2 * pageSize) + InteriorCell.MaxLength, InteriorCell.MaxLength);
        PageType type = CopySiblings(pages, left, right, leftCopy, rightCopy);
        bool isLeaf = type == PageType.BtreeLeaf;
        var leftSource = new SlottedPageReader(leftCopy, pages.FilePath);
        var rightSource = new SlottedPageReader(rightCopy, pages.FilePath);

        int middleLength = 0;
        if (!isLeaf)
        {
            ReadOnlySpan<byte> oldSeparator = InteriorCell.Read(parentPage.GetCell(pair), left, pages.FilePath).Key;
            PageNumber leftRightmost = NodeSearch.ChildAt(leftSource, leftSource.CellCount, left, pages.FilePath);
            middleLength = InteriorCell.Write(middle, leftRightmost, oldSeparator);
        }
        var cells = new CellSequence(
            leftSource, 0, leftSource.CellCount, middle[..middleLength], hasMiddle: !isLeaf,
            rightSource, 0, rightSource.CellCount);
        int capacity = NodeHeader.Capacity(pageSize);

        if (CellDistribution.FitsOnePage(cells, capacity))
        {
            Merge(pages, cells, right);
            parentPage.Delete(pair);
            pages.Free(left);
            return true;
        }

        int split = CellDistribution.ChooseSplitPoint(cells, isLeaf, capacity, SplitBias.Even);
        Span<byte> separator = newParentCell[InteriorCell.KeyOffset..];
        int separatorLength = CellDistribution.Separator(cells, split, isLeaf, LeafCell.FormatOf(pages), separator, left, pages.FilePath);
        int cellLength = InteriorCell.Write(newParentCell, left, separator[..separatorLength]);
        if (!parentPage.TryReplace(pair, newParentCell[..cellLength]))
            return false;
        Redistribute(pages, cells, split, isLeaf, left, right);
        return false;
    }

    private static PageType CopySiblings(IPageAccessor pages, PageNumber left, PageNumber right, Span<byte> leftCopy, Span<byte> rightCopy)
    {
        using PageHandle leftHandle = pages.Read(left);
        using PageHandle rightHandle = pages.Read(right);
        NodeHeader.CheckNodeType(leftHandle.Data, left, pages.FilePath);
        if (leftHandle.Type != rightHandle.Type)
            ThrowHelper.ThrowCorrupt(pages.FilePath, right, "sibling B+tree pages have different types (leaves at different depths)");
        leftHandle.Data.CopyTo(leftCopy);
        rightHandle.Data.CopyTo(rightCopy);
        return leftHandle.Type;
    }

    private static void Merge(IPageAccessor pages, scoped in CellSequence cells, PageNumber right)
    {
        using PageHandle target = pages.Write(right);
        var page = new SlottedPage(target.Writable, pages.FilePath);
        page.Clear();
        CellDistribution.Append(cells, 0, cells.Count, page);
    }

    private static void Redistribute(IPageAccessor pages, scoped in CellSequence cells, int split, bool isLeaf, PageNumber left, PageNumber right)
    {
        using PageHandle leftHandle = pages.Write(left);
        using PageHandle rightHandle = pages.Write(right);
        var leftPage = new SlottedPage(leftHandle.Writable, pages.FilePath);
        var rightPage = new SlottedPage(rightHandle.Writable, pages.FilePath);
        leftPage.Clear();
        rightPage.Clear();
        CellDistribution.WriteHalves(cells, split, isLeaf, leftPage, rightPage, left, pages.FilePath);
    }

    private static bool TryCollapseOnce(IPageAccessor pages, PageNumber root)
    {
        PageNumber child;
        using (PageHandle rootHandle = pages.Read(root))
        {
            var page = new SlottedPageReader(rootHandle.Data, pages.FilePath);
            if (rootHandle.Type != PageType.BtreeInterior || page.CellCount > 0)
                return false;
            child = NodeSearch.ChildAt(page, 0, root, pages.FilePath);
        }
        using (PageHandle rootHandle = pages.Write(root))
        using (PageHandle childHandle = pages.Read(child))
        {
            NodeHeader.CheckNodeType(childHandle.Data, child, pages.FilePath);
            long count = NodeHeader.GetEntryCount(SlottedPageReader.UserHeaderOf(rootHandle.Data));
            NodeSplitter.CopyNode(childHandle.Data, rootHandle.Writable, root, count);
        }
        pages.Free(child);
        return true;
    }
}
