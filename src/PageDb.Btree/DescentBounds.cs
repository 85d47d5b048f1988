using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>
/// The key range a point descent's current page must hold (invariant 3 of <see cref="BTreeVerifier"/> along one
/// path): lower &lt;= key &lt; upper, where lower and upper are the separators on either side of the last links
/// followed that had one (an end is open along the tree's left or right edge). Each page the descent pins is checked
/// by its first and last key, and a leaf below the root must hold entries, so a lookup on a crafted file cannot say
/// "not found" for a key that a misplaced subtree holds or return a value from the wrong subtree without a
/// <see cref="CorruptDatabaseException"/>; the cost is at most two key comparisons per level and a copy of the
/// separators that narrow the range (the page they lie on is released before its child is pinned).
/// </summary>
internal ref struct DescentBounds
{
    private const int Open = -1;

    private readonly Span<byte> _lower;
    private readonly Span<byte> _upper;
    private int _lowerLength;
    private int _upperLength;

    /// <summary>An unbounded range (the root's) keeping its bounds' copies in the two buffers of <see cref="BTreeLimits.MaxKeyLength"/> bytes.</summary>
    public DescentBounds(Span<byte> lowerBuffer, Span<byte> upperBuffer)
    {
        _lower = lowerBuffer;
        _upper = upperBuffer;
        _lowerLength = Open;
        _upperLength = Open;
    }

    /// <summary>
    /// Throws <see cref="CorruptDatabaseException"/> when page <paramref name="number"/> is an empty leaf below the root,
    /// or its first key lies below the lower bound or its last key is not below the upper bound.
    /// </summary>
    public readonly void Check(SlottedPageReader page, bool isLeaf, LeafCellFormat format, bool isRoot, PageNumber number, string filePath)
    {
        int count = page.CellCount;
        if (count == 0)
        {
            if (isLeaf && !isRoot)
                ThrowHelper.ThrowCorrupt(filePath, number, "an empty leaf below the root");
            return;
        }
        if (_lowerLength != Open && KeyComparer.Compare(KeyAt(page, 0, isLeaf, format, number, filePath), _lower[.._lowerLength]) < 0)
            ThrowHelper.ThrowCorrupt(filePath, number, "the page's first key lies below the separator on its left in its parent");
        if (_upperLength != Open && KeyComparer.Compare(KeyAt(page, count - 1, isLeaf, format, number, filePath), _upper[.._upperLength]) >= 0)
            ThrowHelper.ThrowCorrupt(filePath, number, "the page's last key is not below the separator on its right in its parent");
    }

    /// <summary>Narrows the range to child <paramref name="child"/> (0..CellCount) of interior page <paramref name="number"/>.</summary>
    public void Narrow(SlottedPageReader page, int child, PageNumber number, string filePath)
    {
        if (child > 0)
            _lowerLength = CopyKey(page, child - 1, _lower, number, filePath);
        if (child < page.CellCount)
            _upperLength = CopyKey(page, child, _upper, number, filePath);
    }

    private static int CopyKey(SlottedPageReader page, int index, Span<byte> destination, PageNumber number, string filePath)
    {
        ReadOnlySpan<byte> key = InteriorCell.Read(page.GetCell(index), number, filePath).Key;
        key.CopyTo(destination);
        return key.Length;
    }

    private static ReadOnlySpan<byte> KeyAt(SlottedPageReader page, int index, bool isLeaf, LeafCellFormat format, PageNumber number, string filePath) =>
        isLeaf
            ? LeafCell.ReadKey(page.GetCell(index), format, number, filePath)
            : InteriorCell.Read(page.GetCell(index), number, filePath).Key;
}
