using System.Buffers;
using System.Diagnostics;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// A B+tree of byte keys and byte values over slotted pages: a light object over (page accessor, root page number),
/// made per transaction. Keys (1..1,024 bytes) compare as unsigned bytes; values (0..64 MiB) larger than a cell's
/// local limit keep a prefix in the leaf and the rest in an overflow chain.
/// </summary>
/// <remarks>
/// Layout and invariants of the pages: <see cref="NodeHeader"/>, <see cref="LeafCell"/>, <see cref="InteriorCell"/>;
/// the checker is <see cref="BTreeVerifier"/>.
/// Operations:
/// - Descend: from the root with read pins, one page at a time, recording the path (page, link, cell count).
/// - Put: the descent compares each page's last key first, so an ascending key costs one comparison a level.
///   The leaf cell is built first (its overflow chain written), then placed; a full page splits by bytes
///   (<see cref="NodeSplitter"/>) and the separator goes up the recorded path; a full root grows a level below it.
///   An append past the last key of a full rightmost leaf starts a new leaf instead and leaves the full one as it is.
/// - Delete: the cell and its chain are freed, then underfull pages are merged or refilled up the path
///   (<see cref="NodeRebalancer"/>) and a root with one child absorbs it.
/// The root's page number never changes and its user header holds the entry count.
/// Not thread-safe: one tree object is used by one thread (the transaction's).
/// </remarks>
internal sealed class BTree
{
    private readonly IPageAccessor _pages;
    // Read once: a descent names the file and parses leaf cells at every level, and these are interface calls away.
    private readonly string _filePath;
    private readonly LeafCellFormat _leafFormat;

    // The depth at which the last descent found its leaf (-1 before the first): every leaf is at the same depth
    // (NodeHeader, invariant 1), so the next descent's page at that depth is likely a leaf, whose lines it requests
    // before reading any (DescendToLeaf). Only a hint: a wrong guess costs the requests, never a result.
    private int _leafDepth = -1;

    // The cell being placed, then the separator going up, then copies of a descent's bounds (DescentBounds). One per
    // thread rather than per tree: engines open a tree object per transaction, and a put never runs inside another put
    // on the same thread.
    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <summary>Opens the tree rooted at <paramref name="root"/>.</summary>
    public BTree(IPageAccessor pages, PageNumber root)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (root.IsNone)
            ThrowHelper.ThrowArgument(nameof(root), "A tree's root cannot be page 0.");
        _pages = pages;
        _filePath = pages.FilePath;
        _leafFormat = LeafCell.FormatOf(pages);
        Root = root;
    }

    /// <summary>The file the tree's pages come from, for error messages.</summary>
    public string FilePath => _filePath;

    /// <summary>The root page; fixed for the tree's life.</summary>
    public PageNumber Root { get; }

    /// <summary>The number of entries, read from the root (O(1)).</summary>
    public long Count
    {
        get
        {
            using PageHandle root = _pages.Read(Root);
            NodeHeader.CheckNodeType(root.Data, Root, _filePath);
            return NodeHeader.GetEntryCount(SlottedPageReader.UserHeaderOf(root.Data));
        }
    }

    /// <summary>Creates an empty tree (one empty leaf, its root) and returns the root page number.</summary>
    public static PageNumber Create(IPageAccessor pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        using PageHandle root = pages.Allocate(PageType.BtreeLeaf);
        SlottedPage.Format(root.Writable, PageType.BtreeLeaf, root.Number, pages.FilePath);
        return root.Number;
    }

    /// <summary>The value stored under <paramref name="key"/>, or null when there is none.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key) => TryGet(key, out byte[] value) ? value : null;

    /// <summary>Looks <paramref name="key"/> up; <paramref name="value"/> is a new array holding its value when found.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        using PageHandle leaf = DescendToLeaf(key, path, out _);
        var page = new SlottedPageReader(leaf.Data, _filePath);
        int index = NodeSearch.SearchLeaf(page, key, _leafFormat, leaf.Number, _filePath);
        if (index < 0)
        {
            value = [];
            return false;
        }
        value = LeafCell.Read(page.GetCell(index), _leafFormat, leaf.Number, _filePath).ToValueArray(_pages);
        return true;
    }

    /// <summary>
    /// Looks <paramref name="key"/> up and, when found, calls <paramref name="reader"/> with its value and
    /// <paramref name="state"/>. The span is valid only during the call: an inline value is a view into the pinned
    /// leaf, one with overflow pages is assembled in a pooled buffer. Allocates nothing.
    /// </summary>
    public bool TryRead<TState>(ReadOnlySpan<byte> key, TState state, ReadOnlySpanAction<byte, TState> reader)
        where TState : allows ref struct
    {
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        using PageHandle leaf = DescendToLeaf(key, path, out _);
        var page = new SlottedPageReader(leaf.Data, _filePath);
        int index = NodeSearch.SearchLeaf(page, key, _leafFormat, leaf.Number, _filePath);
        if (index < 0)
            return false;
        LeafCell cell = LeafCell.Read(page.GetCell(index), _leafFormat, leaf.Number, _filePath);
        if (!cell.HasOverflow)
        {
            reader(cell.LocalValue, state);
            return true;
        }
        byte[] assembled = ArrayPool<byte>.Shared.Rent(cell.ValueLength);
        try
        {
            cell.CopyValueTo(_pages, assembled.AsSpan(0, cell.ValueLength));
            reader(assembled.AsSpan(0, cell.ValueLength), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(assembled);
        }
        return true;
    }

    /// <summary>True when <paramref name="key"/> is present.</summary>
    public bool ContainsKey(ReadOnlySpan<byte> key)
    {
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        using PageHandle leaf = DescendToLeaf(key, path, out _);
        return NodeSearch.SearchLeaf(new SlottedPageReader(leaf.Data, _filePath), key, _leafFormat, leaf.Number, _filePath) >= 0;
    }

    /// <summary>True when some key starts with <paramref name="prefix"/> (1..1,024 bytes), as <see cref="CopyFirstKeyAtOrAfter"/> finds. Allocates nothing.</summary>
    public bool HasKeyWithPrefix(ReadOnlySpan<byte> prefix)
    {
        Span<byte> first = stackalloc byte[BTreeLimits.MaxKeyLength];
        int length = CopyFirstKeyAtOrAfter(prefix, first);
        return length >= 0 && first[..length].StartsWith(prefix);
    }

    /// <summary>
    /// Copies the first key &gt;= <paramref name="key"/> into <paramref name="into"/> (room for
    /// <see cref="BTreeLimits.MaxKeyLength"/> bytes) and returns its length, or -1 when every key is smaller: one
    /// descent to where <paramref name="key"/> would sit and, when that is past its leaf's last key, a second to the
    /// next leaf. <paramref name="key"/> may be one byte longer than a key can be (a key with a 0x00 appended finds the
    /// key after it). Allocates nothing.
    /// </summary>
    public int CopyFirstKeyAtOrAfter(ReadOnlySpan<byte> key, Span<byte> into)
    {
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        int depth;
        using (PageHandle leaf = DescendToLeaf(key, path, out depth))
        {
            var page = new SlottedPageReader(leaf.Data, _filePath);
            int index = NodeSearch.SearchLeaf(page, key, _leafFormat, leaf.Number, _filePath);
            int at = index >= 0 ? index : ~index;
            if (at < page.CellCount)
                return CopyTo(LeafCell.ReadKey(page.GetCell(at), _leafFormat, leaf.Number, _filePath), into);
        }
        // Past the leaf's last key: the next key in the tree is the first of the next leaf, the leftmost leaf right
        // of the separator that bounds this leaf above (at the deepest level whose link was not the rightmost).
        int level = depth - 1;
        while (level >= 0 && path[level].IsRightmost)
            level--;
        return level >= 0 ? CopyTo(FirstKeyRightOf(path[level]), into) : -1;
    }

    private static int CopyTo(ReadOnlySpan<byte> key, Span<byte> into)
    {
        key.CopyTo(into);
        return key.Length;
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value there. Returns true when the
    /// key was new. A key outside 1..1,024 bytes or a value over 64 MiB throws <see cref="ArgumentException"/> first.
    /// </summary>
    public bool Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Store(key, value, replace: true);

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> when the key is absent, in one descent; returns
    /// false, changing nothing, when it is present. Limits as for <see cref="Put"/>.
    /// </summary>
    public bool TryInsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Store(key, value, replace: false);

    private bool Store(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool replace)
    {
        BTreeLimits.ValidateKey(key);
        BTreeLimits.ValidateValue(value);
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        int depth;
        int index;
        PageNumber leaf;
        PageNumber oldChain = PageNumber.None;
        int length = LeafCell.Length(_leafFormat, _pages.PageSize, key.Length, value.Length);
        bool fullAtEnd = false;
        using (PageHandle leafHandle = DescendToLeaf(key, path, out depth, lastFirst: true))
        {
            var page = new SlottedPageReader(leafHandle.Data, _filePath);
            leaf = leafHandle.Number;
            index = NodeSearch.SearchLeaf(page, key, _leafFormat, leaf, _filePath, lastFirst: true);
            if (index >= 0 && !replace)
                return false;
            if (index >= 0)
                oldChain = LeafCell.Read(page.GetCell(index), _leafFormat, leaf, _filePath).OverflowPage;
            else
                fullAtEnd = NodeSplitter.HasNoRoomAtEnd(page, ~index, length);
        }

        Span<byte> cell = CellBuffer;
        int written = LeafCell.Write(_pages, cell, key, value);
        Debug.Assert(written == length, "LeafCell.Length predicts the cell LeafCell.Write makes");
        bool inserted = index < 0;
        if (inserted && fullAtEnd && NodeSplitter.IsOnRightEdge(path[..depth]))
            AppendToFullRightmostLeaf(path[..depth], leaf, cell[..written]);
        else
            Place(path[..depth], leaf, inserted ? ~index : index, cell[..written], replace: !inserted);
        if (!oldChain.IsNone)
            OverflowChain.Free(_pages, oldChain, OverflowChain.OwnerOf(key));
        if (inserted)
            AddToCount(1);
        return inserted;
    }

    /// <summary>Removes <paramref name="key"/> and its value; returns false when it was not there.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        int depth;
        int index;
        PageNumber leaf;
        using (PageHandle leafHandle = DescendToLeaf(key, path, out depth))
        {
            leaf = leafHandle.Number;
            index = NodeSearch.SearchLeaf(new SlottedPageReader(leafHandle.Data, _filePath), key, _leafFormat, leaf, _filePath);
            if (index < 0)
                return false;
        }

        PageNumber chain;
        using (PageHandle leafHandle = _pages.Write(leaf))
        {
            var page = new SlottedPage(leafHandle.Writable, _filePath);
            chain = LeafCell.Read(page.GetCell(index), _leafFormat, leaf, _filePath).OverflowPage;
            page.Delete(index);
        }
        if (!chain.IsNone)
            OverflowChain.Free(_pages, chain, OverflowChain.OwnerOf(key));
        AddToCount(-1);
        Rebalance(path[..depth], leaf);
        return true;
    }

    /// <summary>Opens a cursor over the tree (unpositioned). Dispose it to release its pinned pages.</summary>
    public BTreeCursor OpenCursor() => new(_pages, Root);

    /// <summary>
    /// The entries with <paramref name="from"/> &lt;= key &lt; <paramref name="to"/> (null bounds are open), in
    /// ascending order, or descending when <paramref name="descending"/>.
    /// </summary>
    public BTreeRange Range(byte[]? from, byte[]? to, bool descending = false) => new(this, from, to, descending);

    /// <summary>Frees every page of the tree (root, interior, leaves, overflow chains). The tree must not be used afterwards.</summary>
    public void Drop() => FreeSubtree(Root, 0);

    private Span<byte> CellBuffer => Scratch.AsSpan(0, MaxCellLength);

    private Span<byte> SeparatorBuffer => Scratch.AsSpan(MaxCellLength, BTreeLimits.MaxKeyLength);

    private Span<byte> LowerBoundBuffer => Scratch.AsSpan(MaxCellLength + BTreeLimits.MaxKeyLength, BTreeLimits.MaxKeyLength);

    private Span<byte> UpperBoundBuffer => Scratch.AsSpan(MaxCellLength + (2 * BTreeLimits.MaxKeyLength), BTreeLimits.MaxKeyLength);

    /// <summary>The layout of this file's leaf cells.</summary>

    private int MaxCellLength => Math.Max(LeafCell.MaxLength(_pages.PageSize), InteriorCell.MaxLength);

    private byte[] Scratch
    {
        get
        {
            int needed = MaxCellLength + (3 * BTreeLimits.MaxKeyLength);
            if (t_scratch is null || t_scratch.Length < needed)
                t_scratch = new byte[needed];
            return t_scratch;
        }
    }

    /// <summary>
    /// Pins the leaf that holds (or would hold) <paramref name="key"/>, recording the interior levels in
    /// <paramref name="path"/>; each page passed is checked against the separators above it (<see cref="DescentBounds"/>).
    /// <paramref name="lastFirst"/> (a put's descent) tries each page's last separator first (<see cref="NodeSearch"/>).
    /// </summary>
    /// <remarks>
    /// A descent other than a put's requests every line of the page at the leaves' depth as soon as it is pinned
    /// (<see cref="PageHandle.TryRequestAllLines"/>): a leaf is the page of a lookup that a CPU cache is least likely to
    /// hold, and its reads (header, cell pointers, then the cells they point at) otherwise wait for two misses in a
    /// row, the second only asked for once the first brought the pointers. A put's leaf is mostly in cache (appends
    /// meet the same leaf again), where the requests would be pure cost.
    /// </remarks>
    private PageHandle DescendToLeaf(ReadOnlySpan<byte> key, Span<PathStep> path, out int depth, bool lastFirst = false)
    {
        PageNumber page = Root;
        depth = 0;
        var bounds = new DescentBounds(LowerBoundBuffer, UpperBoundBuffer);
        while (true)
        {
            PageHandle handle = _pages.Read(page);
            bool allLinesRequested = !lastFirst && depth == _leafDepth && handle.TryRequestAllLines();
            CheckNode(handle, page, isRoot: depth == 0, bounds, allLinesRequested);
            if (handle.Type == PageType.BtreeLeaf)
            {
                _leafDepth = depth;
                return handle;
            }
            using (handle)
            {
                if (depth == NodeHeader.MaxDepth)
                    ThrowHelper.ThrowCorrupt(_filePath, page, "B+tree deeper than 64 levels (a cycle of links)");
                var reader = new SlottedPageReader(handle.Data, _filePath);
                int child = NodeSearch.SearchInterior(reader, key, page, _filePath, lastFirst);
                bounds.Narrow(reader, child, page, _filePath);
                path[depth++] = new PathStep(page, child, reader.CellCount);
                page = NodeSearch.ChildAt(reader, child, page, _filePath);
            }
        }
    }

    /// <summary>
    /// The first key of the leftmost leaf right of the link <paramref name="step"/> followed (not its rightmost), copied
    /// into <see cref="SeparatorBuffer"/>'s thread scratch.
    /// </summary>
    private ReadOnlySpan<byte> FirstKeyRightOf(PathStep step)
    {
        Span<byte> separator = SeparatorBuffer;
        int length;
        using (PageHandle interior = _pages.Read(step.Page))
        {
            var reader = new SlottedPageReader(interior.Data, _filePath);
            ReadOnlySpan<byte> key = InteriorCell.Read(reader.GetCell(step.ChildIndex), step.Page, _filePath).Key;
            key.CopyTo(separator);
            length = key.Length;
        }
        Span<PathStep> path = stackalloc PathStep[NodeHeader.MaxDepth];
        using PageHandle leaf = DescendToLeaf(separator[..length], path, out _);
        var page = new SlottedPageReader(leaf.Data, _filePath);
        if (page.CellCount == 0)
            ThrowHelper.ThrowCorrupt(_filePath, leaf.Number, "a leaf right of a separator is empty");
        ReadOnlySpan<byte> first = LeafCell.ReadKey(page.GetCell(0), _leafFormat, leaf.Number, _filePath);
        first.CopyTo(separator);
        return separator[..first.Length];
    }

    /// <summary>
    /// Checks a page the descent pinned (<see cref="NodeHeader.CheckNode"/>, then its keys against
    /// <paramref name="bounds"/>), releasing it when it fails. Unless the descent requested all the page's lines
    /// (<paramref name="allLinesRequested"/>), the cells of a leaf that the checks and the search read first are
    /// requested before (<see cref="NodeSearch.PrefetchLeafProbes"/>), so that their cache misses overlap.
    /// </summary>
    private void CheckNode(PageHandle handle, PageNumber page, bool isRoot, in DescentBounds bounds, bool allLinesRequested)
    {
        try
        {
            var reader = new SlottedPageReader(handle.Data, _filePath);
            bool isLeaf = handle.Type == PageType.BtreeLeaf;
            if (isLeaf && !allLinesRequested)
                NodeSearch.PrefetchLeafProbes(reader);
            NodeHeader.CheckNode(handle.Data, page, _filePath, isRoot);
            bounds.Check(reader, isLeaf, _leafFormat, isRoot, page, _filePath);
        }
        catch (CorruptDatabaseException)
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts <paramref name="cell"/>, whose key is past the last of the full rightmost leaf <paramref name="leaf"/>, on a
    /// new rightmost leaf (<see cref="NodeSplitter.StartRightmostLeaf"/>), then puts the full leaf's separator last in
    /// its parent, the last of <paramref name="ancestors"/>, splitting up the path as needed.
    /// </summary>
    private void AppendToFullRightmostLeaf(ReadOnlySpan<PathStep> ancestors, PageNumber leaf, ReadOnlySpan<byte> cell)
    {
        Span<byte> separator = SeparatorBuffer;
        NodeSplitter.StartRightmostLeaf(_pages, ancestors, leaf, cell, separator, out int separatorLength);
        int cellLength = InteriorCell.Write(CellBuffer, leaf, separator[..separatorLength]);
        PathStep parent = ancestors[^1];
        Place(ancestors[..^1], parent.Page, parent.ChildIndex, CellBuffer[..cellLength], replace: false);
    }

    /// <summary>Puts a cell into the node at the end of <paramref name="ancestors"/>, splitting up the path as needed.</summary>
    private void Place(ReadOnlySpan<PathStep> ancestors, PageNumber page, int index, ReadOnlySpan<byte> cell, bool replace)
    {
        int level = ancestors.Length;
        while (!TryPlaceInPage(page, index, cell, replace))
        {
            Span<byte> separator = SeparatorBuffer;
            PageNumber left = NodeSplitter.Split(
                _pages, page, index, cell, replace, PathStep.Edge(ancestors[..level]), separator, out int separatorLength);
            if (level == 0)
            {
                NodeSplitter.GrowRoot(_pages, Root, left, separator[..separatorLength], CellBuffer);
                return;
            }
            level--;
            int cellLength = InteriorCell.Write(CellBuffer, left, separator[..separatorLength]);
            cell = CellBuffer[..cellLength];
            page = ancestors[level].Page;
            index = ancestors[level].ChildIndex;
            replace = false;
        }
    }

    private bool TryPlaceInPage(PageNumber page, int index, ReadOnlySpan<byte> cell, bool replace)
    {
        using PageHandle handle = _pages.Write(page);
        var slotted = new SlottedPage(handle.Writable, _filePath);
        return replace ? slotted.TryReplace(index, cell) : slotted.TryInsert(index, cell);
    }

    /// <summary>After a delete from <paramref name="leaf"/>, fixes underfull nodes up the path, then the root.</summary>
    private void Rebalance(ReadOnlySpan<PathStep> ancestors, PageNumber leaf)
    {
        PageNumber node = leaf;
        for (int level = ancestors.Length - 1; level >= 0; level--)
        {
            if (!NodeRebalancer.IsUnderfull(_pages, node))
                return;
            if (!NodeRebalancer.RebalanceChild(_pages, ancestors[level].Page, ancestors[level].ChildIndex))
                return;
            node = ancestors[level].Page;
        }
        NodeRebalancer.CollapseRoot(_pages, Root);
    }

    private void AddToCount(long delta)
    {
        using PageHandle root = _pages.Write(Root);
        Span<byte> userHeader = SlottedPage.UserHeaderOf(root.Writable);
        NodeHeader.SetEntryCount(userHeader, NodeHeader.GetEntryCount(userHeader) + delta);
    }

    private void FreeSubtree(PageNumber page, int depth)
    {
        if (depth > NodeHeader.MaxDepth)
            ThrowHelper.ThrowCorrupt(_filePath, page, "B+tree deeper than 64 levels (a cycle of links)");
        using (PageHandle handle = _pages.Read(page))
        {
            NodeHeader.CheckNodeType(handle.Data, page, _filePath);
            var reader = new SlottedPageReader(handle.Data, _filePath);
            if (handle.Type == PageType.BtreeLeaf)
                FreeOverflowChains(reader, page);
            else
                for (int i = 0; i <= reader.CellCount; i++)
                    FreeSubtree(NodeSearch.ChildAt(reader, i, page, _filePath), depth + 1);
        }
        _pages.Free(page);
    }

    private void FreeOverflowChains(SlottedPageReader leaf, PageNumber page)
    {
        for (int i = 0; i < leaf.CellCount; i++)
        {
            LeafCell cell = LeafCell.Read(leaf.GetCell(i), _leafFormat, page, _filePath);
            if (cell.HasOverflow)
                OverflowChain.Free(_pages, cell.OverflowPage, cell.ChainOwner);
        }
    }
}
