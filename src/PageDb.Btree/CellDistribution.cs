using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>Where a split puts its dividing line.</summary>
internal enum SplitBias
{
    /// <summary>Halve the bytes: random inserts leave both pages about half full, growing to ~70% on average.</summary>
    Even,

    /// <summary>Keep the left page as full as possible: appends at the tree's right edge leave full pages behind.</summary>
    Append,

    /// <summary>Keep the right page as full as possible: inserts at the tree's left edge (descending keys).</summary>
    Prepend,
}

/// <summary>
/// Lays a <see cref="CellSequence"/> out over two nodes, by bytes rather than by cell count, so pages of large and
/// small cells fill alike. Shared by splits (<see cref="NodeSplitter"/>) and redistribution (<see cref="NodeRebalancer"/>).
/// For a leaf, split point s sends cells [0, s) left and [s, n) right. For an interior page cell s moves up: its
/// key becomes the separator and its child the left page's rightmost child; [s + 1, n) go right.
/// </summary>
internal static class CellDistribution
{
    /// <summary>
    /// The split point for <paramref name="cells"/> such that both pages fit in <paramref name="capacity"/> bytes and
    /// each keeps at least one cell, chosen by <paramref name="bias"/>.
    /// </summary>
    public static int ChooseSplitPoint(scoped in CellSequence cells, bool isLeaf, int capacity, SplitBias bias)
    {
        int total = cells.Cost(0, cells.Count);
        int last = isLeaf ? cells.Count - 1 : cells.Count - 2;
        int best = -1;
        int bestImbalance = int.MaxValue;
        int left = 0;
        for (int s = 1; s <= last; s++)
        {
            left += cells.Cost(s - 1);
            if (left > capacity)
                break;
            int right = total - left - (isLeaf ? 0 : cells.Cost(s));
            if (right > capacity)
                continue;
            if (bias == SplitBias.Prepend)
                return s;
            int imbalance = bias == SplitBias.Append ? -s : Math.Abs(left - right);
            if (imbalance < bestImbalance)
            {
                best = s;
                bestImbalance = imbalance;
            }
        }
        if (best < 0)
            ThrowHelper.ThrowInvalidOperation("B+tree cells cannot be divided over two pages; cell size limits are broken");
        return best;
    }

    /// <summary>True when all of <paramref name="cells"/> fit on one page.</summary>
    public static bool FitsOnePage(scoped in CellSequence cells, int capacity) => cells.Cost(0, cells.Count) <= capacity;

    /// <summary>
    /// Copies the separator split point <paramref name="split"/> sends up into <paramref name="destination"/> and
    /// returns its length: the shortest key between the two leaves, or the key of the interior cell moving up.
    /// </summary>
    public static int Separator(scoped in CellSequence cells, int split, bool isLeaf, LeafCellFormat format, Span<byte> destination, PageNumber page, string filePath)
    {
        ReadOnlySpan<byte> separator = isLeaf
            ? SeparatorTruncation.Shortest(
                LeafCell.ReadKey(cells[split - 1], format, page, filePath),
                LeafCell.ReadKey(cells[split], format, page, filePath))
            : InteriorCell.Read(cells[split], page, filePath).Key;
        separator.CopyTo(destination);
        return separator.Length;
    }

    /// <summary>
    /// Fills two empty nodes from <paramref name="cells"/> at <paramref name="split"/>. The right page keeps its own
    /// rightmost child; an interior left page gets the child of the cell moving up.
    /// </summary>
    public static void WriteHalves(scoped in CellSequence cells, int split, bool isLeaf, SlottedPage left, SlottedPage right, PageNumber page, string filePath)
    {
        Append(cells, 0, split, left);
        if (isLeaf)
        {
            Append(cells, split, cells.Count, right);
            return;
        }
        NodeHeader.SetRightmostChild(left.UserHeader, InteriorCell.Read(cells[split], page, filePath).Child);
        Append(cells, split + 1, cells.Count, right);
    }

    /// <summary>Appends cells [<paramref name="start"/>, <paramref name="end"/>) to <paramref name="page"/>, which must have room.</summary>
    public static void Append(scoped in CellSequence cells, int start, int end, SlottedPage page)
    {
        for (int i = start; i < end; i++)
        {
            bool inserted = page.TryInsert(page.CellCount, cells[i]);
            if (!inserted)
                ThrowHelper.ThrowInvalidOperation("a B+tree page planned to fit its cells overflowed");
        }
    }
}
