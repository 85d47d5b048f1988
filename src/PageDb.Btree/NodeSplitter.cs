using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// Splits a full node. The page keeps its number and the upper part of its cells; a new page takes the lower part,
/// so the parent only gains one cell (new page, separator) in front of the existing link, and no link changes.
/// A full root is split the same way and then pushed down (<see cref="GrowRoot"/>), so the root keeps its page number
/// for the tree's life.
/// <para>
/// One split goes the other way: an append past the last key of the tree's full rightmost leaf (ascending keys:
/// row ids, timestamps) starts a new rightmost leaf holding only the new cell (<see cref="StartRightmostLeaf"/>), and
/// the full leaf is left as it is: not copied, not rewritten, not logged again, as SQLite's balance_quick does. The
/// parent's rightmost link moves to the new leaf and the parent gains the cell (full leaf, separator). The split by
/// bytes with <see cref="SplitBias.Append"/> made the same two pages (all old cells left, the new cell right), but by
/// moving every cell of the full page to a new one, so the commit logged the whole page a second time.
/// </para>
/// </summary>
internal static class NodeSplitter
{
    /// <summary>
    /// Puts <paramref name="cell"/> at <paramref name="index"/> of <paramref name="page"/> (replacing the cell there
    /// when <paramref name="replace"/>), which does not fit, by splitting the page. Writes the separator for the parent
    /// into <paramref name="separator"/> (its length in <paramref name="separatorLength"/>) and returns the new left page.
    /// </summary>
    public static PageNumber Split(
        IPageAccessor pages, PageNumber page, int index, ReadOnlySpan<byte> cell, bool replace,
        EdgePosition edge, Span<byte> separator, out int separatorLength)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(pages.PageSize);
        try
        {
            using PageHandle target = pages.Write(page);
            Span<byte> original = copy.AsSpan(0, pages.PageSize);
            target.Data.CopyTo(original);
            var source = new SlottedPageReader(original, pages.FilePath);
            PageType type = target.Type;
            bool isLeaf = type == PageType.BtreeLeaf;
            int count = source.CellCount;
            var cells = new CellSequence(source, 0, index, cell, hasMiddle: true, source, replace ? index + 1 : index, count);
            SplitBias bias = ChooseBias(edge, index, count, replace);
            int split = CellDistribution.ChooseSplitPoint(cells, isLeaf, NodeHeader.Capacity(pages.PageSize), bias);
            separatorLength = CellDistribution.Separator(cells, split, isLeaf, LeafCell.FormatOf(pages), separator, page, pages.FilePath);

            using PageHandle left = pages.Allocate(type);
            var leftPage = SlottedPage.Format(left.Writable, type, left.Number, pages.FilePath);
            var rightPage = new SlottedPage(target.Writable, pages.FilePath);
            rightPage.Clear();
            CellDistribution.WriteHalves(cells, split, isLeaf, leftPage, rightPage, page, pages.FilePath);
            return left.Number;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>
    /// True when a new cell of <paramref name="cellLength"/> bytes put at <paramref name="index"/> of
    /// <paramref name="leaf"/> would go past its last cell and the leaf has no room for it. With
    /// <see cref="IsOnRightEdge"/> of the leaf's path, <see cref="StartRightmostLeaf"/> applies. The put's descent asks
    /// while it holds the leaf, which is read only, so a leaf that is then left as it is never becomes a private copy;
    /// a cell that fits the gap (the usual append) is answered without walking the free blocks.
    /// </summary>
    public static bool HasNoRoomAtEnd(SlottedPageReader leaf, int index, int cellLength)
    {
        int cost = NodeHeader.CellCost(cellLength);
        return index == leaf.CellCount && leaf.GapSize < cost && leaf.FreeSpace < cost;
    }

    /// <summary>True when the leaf reached through <paramref name="ancestors"/> is the tree's rightmost leaf and not the root.</summary>
    public static bool IsOnRightEdge(ReadOnlySpan<PathStep> ancestors) =>
        !ancestors.IsEmpty && (PathStep.Edge(ancestors) & EdgePosition.Right) != 0;

    /// <summary>
    /// Puts <paramref name="cell"/> on a new leaf right of the full rightmost leaf <paramref name="leaf"/> (see the type;
    /// <see cref="HasNoRoomAtEnd"/> and <see cref="IsOnRightEdge"/> said so), links the parent's rightmost child (the last of
    /// <paramref name="ancestors"/>, which led to <paramref name="leaf"/>) to it, and writes the separator between the
    /// leaf's last key and the cell's key into <paramref name="separator"/> (its length in
    /// <paramref name="separatorLength"/>): the caller puts (<paramref name="leaf"/>, separator) last in the parent.
    /// </summary>
    public static void StartRightmostLeaf(
        IPageAccessor pages, ReadOnlySpan<PathStep> ancestors, PageNumber leaf, ReadOnlySpan<byte> cell, Span<byte> separator, out int separatorLength)
    {
        PathStep parent = ancestors[^1];
        Debug.Assert(parent.IsRightmost, "the rightmost leaf hangs from its parent's rightmost link");
        LeafCellFormat format = LeafCell.FormatOf(pages);
        using (PageHandle full = pages.Read(leaf))
        {
            var reader = new SlottedPageReader(full.Data, pages.FilePath);
            ReadOnlySpan<byte> last = LeafCell.ReadKey(reader.GetCell(reader.CellCount - 1), format, leaf, pages.FilePath);
            ReadOnlySpan<byte> shortest = SeparatorTruncation.Shortest(last, LeafCell.ReadKey(cell, format, leaf, pages.FilePath));
            shortest.CopyTo(separator);
            separatorLength = shortest.Length;
        }
        using PageHandle right = pages.Allocate(PageType.BtreeLeaf);
        var rightPage = SlottedPage.Format(right.Writable, PageType.BtreeLeaf, right.Number, pages.FilePath);
        if (!rightPage.TryInsert(0, cell))
            ThrowHelper.ThrowInvalidOperation("an empty leaf could not hold one cell");
        using PageHandle parentHandle = pages.Write(parent.Page);
        NodeHeader.SetRightmostChild(SlottedPage.UserHeaderOf(parentHandle.Writable), right.Number);
    }

    /// <summary>
    /// After the root split into (new left page, root), moves the root's cells to a new page and makes the root an
    /// interior page over the two, keeping the root's number and entry count.
    /// </summary>
    public static void GrowRoot(IPageAccessor pages, PageNumber root, PageNumber left, ReadOnlySpan<byte> separator, Span<byte> cellBuffer)
    {
        using PageHandle rootHandle = pages.Write(root);
        long count = NodeHeader.GetEntryCount(SlottedPageReader.UserHeaderOf(rootHandle.Data));
        using PageHandle right = pages.Allocate(rootHandle.Type);
        CopyNode(rootHandle.Data, right.Writable, right.Number, entryCount: 0);

        var rootPage = SlottedPage.Format(rootHandle.Writable, PageType.BtreeInterior, root, pages.FilePath);
        NodeHeader.SetEntryCount(rootPage.UserHeader, count);
        NodeHeader.SetRightmostChild(rootPage.UserHeader, right.Number);
        int length = InteriorCell.Write(cellBuffer, left, separator);
        if (!rootPage.TryInsert(0, cellBuffer[..length]))
            ThrowHelper.ThrowInvalidOperation("a new root could not hold one separator");
    }

    /// <summary>Copies a whole node to another page: its bytes, then its own number and entry count.</summary>
    public static void CopyNode(ReadOnlySpan<byte> source, Span<byte> destination, PageNumber destinationNumber, long entryCount)
    {
        source.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[PageHeader.PageNumberOffset..], destinationNumber.Value);
        NodeHeader.SetEntryCount(SlottedPage.UserHeaderOf(destination), entryCount);
    }

    private static SplitBias ChooseBias(EdgePosition edge, int index, int count, bool replace)
    {
        if (replace)
            return SplitBias.Even;
        if (index == count && (edge & EdgePosition.Right) != 0)
            return SplitBias.Append;
        if (index == 0 && (edge & EdgePosition.Left) != 0)
            return SplitBias.Prepend;
        return SplitBias.Even;
    }
}
