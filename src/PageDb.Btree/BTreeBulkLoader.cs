using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// Builds a new tree from entries in strictly ascending key order, left to right, one open page per level: each
/// page is filled to the fill factor (by bytes) and then closed, its separator going up to the level above, which
/// grows a new root when needed. At the end the right edge is linked up and rebalanced like a delete would, so the
/// result passes <see cref="BTreeVerifier"/> like any tree. Unsorted or duplicate keys are refused with
/// <see cref="ArgumentException"/> after freeing every page built so far; so is disposing without <see cref="Complete"/>.
/// </summary>
/// <remarks>One thread at a time; the loader holds no page pinned between calls.</remarks>
internal sealed class BTreeBulkLoader : IDisposable
{
    private readonly IPageAccessor _pages;
    private readonly int _target; // bytes of cells and pointers after which a page is closed
    private readonly List<PageNumber> _open = []; // the page being filled at each level; 0 = leaves
    private readonly byte[] _lastKey = new byte[BTreeLimits.MaxKeyLength];
    private readonly byte[] _separator = new byte[BTreeLimits.MaxKeyLength];
    private readonly byte[] _cell;
    private int _lastKeyLength; // 0 until the first entry
    private long _count;
    private bool _finished;

    /// <summary>
    /// Starts a load. <paramref name="fillFactor"/> (0.5 .. 1.0) is how full each page is packed: 1.0 for read-mostly
    /// data, lower to leave room for later inserts without splits.
    /// </summary>
    public BTreeBulkLoader(IPageAccessor pages, double fillFactor = 1.0)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentOutOfRangeException.ThrowIfLessThan(fillFactor, 0.5);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fillFactor, 1.0);
        _pages = pages;
        _target = (int)(NodeHeader.Capacity(pages.PageSize) * fillFactor);
        _cell = new byte[Math.Max(LeafCell.MaxLength(pages.PageSize), InteriorCell.MaxLength)];
    }

    /// <summary>Entries added so far.</summary>
    public long Count => _count;

    /// <summary>Builds a tree from <paramref name="entries"/> (ascending, no duplicates) and returns its root.</summary>
    public static PageNumber Load(IPageAccessor pages, IEnumerable<KeyValuePair<byte[], byte[]>> entries, double fillFactor = 1.0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var loader = new BTreeBulkLoader(pages, fillFactor);
        foreach (KeyValuePair<byte[], byte[]> entry in entries)
            loader.Add(entry.Key, entry.Value);
        return loader.Complete();
    }

    /// <summary>
    /// Appends an entry. Its key must be greater than the previous one; otherwise everything built so far is freed
    /// and <see cref="ArgumentException"/> is thrown.
    /// </summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_finished)
            ThrowHelper.ThrowInvalidOperation("The bulk load has already completed or failed.");
        BTreeLimits.ValidateKey(key);
        BTreeLimits.ValidateValue(value);
        if (_lastKeyLength > 0 && KeyComparer.Compare(key, _lastKey.AsSpan(0, _lastKeyLength)) <= 0)
            RefuseOutOfOrder(key);

        if (_open.Count == 0)
            _open.Add(BTree.Create(_pages));
        int cost = NodeHeader.CellCost(LeafCell.Length(LeafCell.FormatOf(_pages), _pages.PageSize, key.Length, value.Length));
        if (!HasRoomFor(_open[0], cost))
        {
            ReadOnlySpan<byte> separator = SeparatorTruncation.Shortest(_lastKey.AsSpan(0, _lastKeyLength), key);
            separator.CopyTo(_separator);
            CloseNode(0, _separator.AsSpan(0, separator.Length));
        }
        int length = LeafCell.Write(_pages, _cell, key, value);
        AppendCell(_open[0], _cell.AsSpan(0, length));
        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
        _count++;
    }

    /// <summary>Finishes the tree and returns its root page (an empty leaf when nothing was added).</summary>
    public PageNumber Complete()
    {
        if (_finished)
            ThrowHelper.ThrowInvalidOperation("The bulk load has already completed or failed.");
        _finished = true;
        if (_open.Count == 0)
            return BTree.Create(_pages);
        PageNumber root = LinkRightEdge();
        BalanceRightEdge();
        NodeRebalancer.CollapseRoot(_pages, root);
        using PageHandle handle = _pages.Write(root);
        NodeHeader.SetEntryCount(SlottedPage.UserHeaderOf(handle.Writable), _count);
        return root;
    }

    /// <summary>Frees everything built when the load did not complete.</summary>
    public void Dispose()
    {
        if (!_finished)
            Abandon();
    }

    private void RefuseOutOfOrder(ReadOnlySpan<byte> key)
    {
        bool duplicate = KeyComparer.Compare(key, _lastKey.AsSpan(0, _lastKeyLength)) == 0;
        long position = _count;
        Abandon();
        ThrowHelper.ThrowArgument(nameof(key), duplicate
            ? $"Bulk load input has a duplicate key at entry {position}; the pages built so far were freed."
            : $"Bulk load input is not sorted: entry {position} sorts before the previous one; the pages built so far were freed.");
    }

    private bool HasRoomFor(PageNumber node, int cost)
    {
        using PageHandle handle = _pages.Read(node);
        var page = new SlottedPageReader(handle.Data, _pages.FilePath);
        return page.CellCount == 0 || (page.UsedSpace + cost <= _target && cost <= page.FreeSpace);
    }

    private void AppendCell(PageNumber node, ReadOnlySpan<byte> cell)
    {
        using PageHandle handle = _pages.Write(node);
        var page = new SlottedPage(handle.Writable, _pages.FilePath);
        if (!page.TryInsert(page.CellCount, cell))
            ThrowHelper.ThrowInvalidOperation("bulk load: a page planned to fit a cell overflowed");
    }

    /// <summary>Closes the open node at <paramref name="level"/>: it goes up with <paramref name="separator"/>, and a new node opens.</summary>
    private void CloseNode(int level, ReadOnlySpan<byte> separator)
    {
        PageNumber closed = _open[level];
        _open[level] = NewNode(level == 0 ? PageType.BtreeLeaf : PageType.BtreeInterior);
        AddToParent(level + 1, closed, separator);
    }

    /// <summary>Adds (child, separator) at <paramref name="level"/>: a cell, or, when the page is full, its last link.</summary>
    private void AddToParent(int level, PageNumber child, ReadOnlySpan<byte> separator)
    {
        if (level == _open.Count)
            _open.Add(NewNode(PageType.BtreeInterior));
        PageNumber parent = _open[level];
        if (HasRoomFor(parent, NodeHeader.CellCost(InteriorCell.Length(separator.Length))))
        {
            int length = InteriorCell.Write(_cell, child, separator);
            AppendCell(parent, _cell.AsSpan(0, length));
            return;
        }
        SetRightmost(parent, child);
        CloseNode(level, separator);
    }

    private PageNumber NewNode(PageType type)
    {
        using PageHandle handle = _pages.Allocate(type);
        SlottedPage.Format(handle.Writable, type, handle.Number, _pages.FilePath);
        return handle.Number;
    }

    private void SetRightmost(PageNumber parent, PageNumber child)
    {
        using PageHandle handle = _pages.Write(parent);
        NodeHeader.SetRightmostChild(SlottedPage.UserHeaderOf(handle.Writable), child);
    }

    /// <summary>Makes each level's open node the rightmost child of the one above; returns the top node.</summary>
    private PageNumber LinkRightEdge()
    {
        for (int level = 1; level < _open.Count; level++)
            SetRightmost(_open[level], _open[level - 1]);
        return _open[^1];
    }

    /// <summary>The last node of each level may be nearly empty: rebalance it with its left sibling, bottom up.</summary>
    private void BalanceRightEdge()
    {
        for (int level = 0; level + 1 < _open.Count; level++)
        {
            if (!NodeRebalancer.IsUnderfull(_pages, _open[level]))
                continue;
            PageNumber parent = _open[level + 1];
            int rightmost;
            using (PageHandle handle = _pages.Read(parent))
                rightmost = new SlottedPageReader(handle.Data, _pages.FilePath).CellCount;
            NodeRebalancer.RebalanceChild(_pages, parent, rightmost);
        }
    }

    private void Abandon()
    {
        _finished = true;
        if (_open.Count == 0)
            return;
        new BTree(_pages, LinkRightEdge()).Drop();
        _open.Clear();
    }
}
