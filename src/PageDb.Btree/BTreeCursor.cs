using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// An ordered position in a <see cref="BTree"/>. The cursor keeps the pages of its path (root to leaf) pinned for
/// reading, so stepping within a leaf touches no other page and moving to a neighbour leaf re-reads only the levels
/// that change. <see cref="Key"/> and <see cref="Value"/> are views into the pinned leaf, valid until the cursor
/// moves; a value partly in overflow is assembled into a buffer the cursor reuses. Moves allocate nothing.
/// </summary>
/// <remarks>
/// States: unpositioned (fresh), on an entry, or off one end (after a move or seek found nothing). <see cref="Next"/> off the end
/// stays at the end, so a following <see cref="Previous"/> returns the last entry (and the reverse at the start).
/// On an unpositioned cursor <see cref="Next"/> is <see cref="SeekFirst"/> and <see cref="Previous"/> is <see cref="SeekLast"/>.
/// The tree must not be changed while a cursor is open on it. Dispose releases the pins. One thread at a time.
/// </remarks>
public sealed class BTreeCursor : IDisposable
{
    private const int InitialLevels = 8;

    private readonly IPageAccessor _pages;
    private readonly PageNumber _root;
    // Sized for trees of up to 8 levels (far more than any file holds) and grown by Pin for deeper ones, so opening a
    // cursor does not allocate room for the 65 levels the depth limit allows.
    private PageHandle[] _path = new PageHandle[InitialLevels]; // pinned pages, root first
    private int[] _index = new int[InitialLevels]; // link followed (interior) or entry (leaf)
    private int _leafLevel = -1; // level of the pinned leaf in _path; -1 when nothing is pinned
    private byte[] _valueBuffer = [];
    private bool _valueAssembled; // _valueBuffer holds the current entry's value

    internal BTreeCursor(IPageAccessor pages, PageNumber root)
    {
        _pages = pages;
        _root = root;
    }

    /// <summary>True when the cursor is on an entry.</summary>
    public bool IsValid =>
        _leafLevel >= 0 && IsLeafLevel(_leafLevel) && (uint)_index[_leafLevel] < (uint)Leaf.CellCount;

    /// <summary>The current key; valid until the cursor moves.</summary>
    public ReadOnlySpan<byte> Key => LeafCell.ReadKey(CurrentCell, _path[_leafLevel].Number, _pages.FilePath);

    /// <summary>The current value; valid until the cursor moves. Values partly in overflow are read on first access.</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            LeafCell cell = LeafCell.Read(CurrentCell, _path[_leafLevel].Number, _pages.FilePath);
            if (!cell.HasOverflow)
                return cell.LocalValue;
            if (!_valueAssembled)
            {
                if (_valueBuffer.Length < cell.ValueLength)
                    _valueBuffer = new byte[Math.Max(cell.ValueLength, 2 * _valueBuffer.Length)];
                cell.CopyValueTo(_pages, _valueBuffer);
                _valueAssembled = true;
            }
            return _valueBuffer.AsSpan(0, cell.ValueLength);
        }
    }

    /// <summary>The length of the current value (no overflow read).</summary>
    public int ValueLength => LeafCell.Read(CurrentCell, _path[_leafLevel].Number, _pages.FilePath).ValueLength;

    private SlottedPageReader Leaf => new(_path[_leafLevel].Data);

    private ReadOnlySpan<byte> CurrentCell
    {
        get
        {
            if (!IsValid)
                ThrowHelper.ThrowInvalidOperation("The cursor is not on an entry.");
            return Leaf.GetCell(_index[_leafLevel]);
        }
    }

    /// <summary>Moves to the first entry whose key is &gt;= <paramref name="key"/>; false when there is none.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        Moved();
        ReleaseBelow(0);
        PageNumber page = _root;
        for (int level = 0; ; level++)
        {
            SlottedPageReader reader = Pin(level, page);
            if (IsLeafLevel(level))
            {
                int index = NodeSearch.SearchLeaf(reader, key, page, _pages.FilePath);
                int at = index >= 0 ? index : ~index;
                if (at < reader.CellCount)
                {
                    _index[level] = at;
                    return true;
                }
                _index[level] = at - 1;
                return StepForward();
            }
            int child = NodeSearch.SearchInterior(reader, key, page, _pages.FilePath);
            _index[level] = child;
            page = NodeSearch.ChildAt(reader, child, page, _pages.FilePath);
        }
    }

    /// <summary>Moves to the first entry; false when the tree is empty.</summary>
    public bool SeekFirst()
    {
        Moved();
        ReleaseBelow(0);
        DescendToEdge(0, _root, toFirst: true);
        return IsValid || StepForward();
    }

    /// <summary>Moves to the last entry; false when the tree is empty.</summary>
    public bool SeekLast()
    {
        Moved();
        ReleaseBelow(0);
        DescendToEdge(0, _root, toFirst: false);
        return IsValid || StepBackward();
    }

    /// <summary>Moves to the next entry; false (staying past the last) when there is none.</summary>
    public bool Next()
    {
        if (_leafLevel < 0)
            return SeekFirst();
        Moved();
        return StepForward();
    }

    /// <summary>Moves to the previous entry; false (staying before the first) when there is none.</summary>
    public bool Previous()
    {
        if (_leafLevel < 0)
            return SeekLast();
        Moved();
        return StepBackward();
    }

    /// <summary>Releases the pinned pages.</summary>
    public void Dispose()
    {
        ReleaseBelow(0);
        _valueBuffer = [];
    }

    private bool StepForward()
    {
        while (true)
        {
            int leaf = _leafLevel;
            if (_index[leaf] + 1 < Leaf.CellCount)
            {
                _index[leaf]++;
                return true;
            }
            int level = leaf - 1;
            while (level >= 0 && _index[level] >= new SlottedPageReader(_path[level].Data).CellCount)
                level--;
            if (level < 0)
            {
                _index[leaf] = Leaf.CellCount;
                return false;
            }
            _index[level]++;
            DescendFrom(level, toFirst: true);
            if (IsValid)
                return true;
        }
    }

    private bool StepBackward()
    {
        while (true)
        {
            int leaf = _leafLevel;
            if (_index[leaf] > 0)
            {
                _index[leaf] = Math.Min(_index[leaf], Leaf.CellCount) - 1;
                if (_index[leaf] >= 0)
                    return true;
            }
            int level = leaf - 1;
            while (level >= 0 && _index[level] == 0)
                level--;
            if (level < 0)
            {
                _index[leaf] = -1;
                return false;
            }
            _index[level]--;
            DescendFrom(level, toFirst: false);
            if (IsValid)
                return true;
        }
    }

    /// <summary>Re-pins the levels below <paramref name="level"/> along its (changed) link, to the edge of that subtree.</summary>
    private void DescendFrom(int level, bool toFirst)
    {
        var reader = new SlottedPageReader(_path[level].Data);
        PageNumber child = NodeSearch.ChildAt(reader, _index[level], _path[level].Number, _pages.FilePath);
        ReleaseBelow(level + 1);
        DescendToEdge(level + 1, child, toFirst);
    }

    private void DescendToEdge(int level, PageNumber page, bool toFirst)
    {
        while (true)
        {
            SlottedPageReader reader = Pin(level, page);
            if (IsLeafLevel(level))
            {
                _index[level] = toFirst ? 0 : reader.CellCount - 1;
                return;
            }
            int child = toFirst ? 0 : reader.CellCount;
            _index[level] = child;
            page = NodeSearch.ChildAt(reader, child, page, _pages.FilePath);
            level++;
        }
    }

    /// <summary>Pins <paramref name="page"/> at <paramref name="level"/>, checking it is a tree page within the depth limit.</summary>
    private SlottedPageReader Pin(int level, PageNumber page)
    {
        if (level > NodeHeader.MaxDepth)
            ThrowHelper.ThrowCorrupt(_pages.FilePath, page, "B+tree deeper than 64 levels (a cycle of links)");
        if (level == _path.Length)
        {
            Array.Resize(ref _path, Math.Min(2 * _path.Length, NodeHeader.MaxDepth + 1));
            Array.Resize(ref _index, _path.Length);
        }
        _path[level] = _pages.Read(page);
        _leafLevel = level;
        NodeHeader.CheckNodeType(_path[level].Data, page, _pages.FilePath);
        return new SlottedPageReader(_path[level].Data);
    }

    private bool IsLeafLevel(int level) => _path[level].Type == PageType.BtreeLeaf;

    private void ReleaseBelow(int level)
    {
        for (int i = _leafLevel; i >= level; i--)
        {
            _path[i].Dispose();
            _path[i] = default;
        }
        _leafLevel = level - 1;
    }

    private void Moved() => _valueAssembled = false;
}
