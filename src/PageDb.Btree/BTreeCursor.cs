using System.Diagnostics;
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
/// A damaged or hostile file cannot make a walk return keys out of order or run for ever: a leaf's keys are checked to
/// ascend when the leaf is pinned, before any entry of it is returned or searched (once per cached copy of the page:
/// its frame remembers the check, <see cref="PageFrame.KeyOrderChecked"/>, until the frame takes another page or is
/// handed out for writing), a step into another leaf checks the key against a copy of the last key (so two leaves
/// reached through interior pages that share a subtree are caught), and
/// a walk that crosses to more leaves than the database has pages is stopped, and a walk from one end of the tree to
/// the other must meet exactly the entry count its root records (a leaf that lost cells, or a subtree reached from the
/// wrong place). A walk also checks what <see cref="BTreeVerifier"/> checks of the pages it passes, so a full walk
/// refuses every tree the verifier flags except for a cell breaking the local/overflow rule (its value still reads
/// whole) and an overflow page shared by two values (each chain reads as well formed): each page's node header
/// (<see cref="NodeHeader.CheckNode"/>), no empty leaf below the root, every leaf at the depth of the walk's first
/// leaf, and at each crossing from one leaf to the next the separator between them lies between the last key left and
/// the first key reached (last &lt; separator &lt;= first; every separator of the tree is crossed once by a full walk,
/// so with the keys ascending every key lies within its separators). All are <see cref="CorruptDatabaseException"/>;
/// they cost a counter per step, one or two key comparisons per leaf crossed, a few header loads per page pinned and one
/// comparison per cell the first time a cached leaf is walked.
/// </remarks>
internal sealed class BTreeCursor : IDisposable
{
    private const int InitialLevels = 8;

    private readonly IPageAccessor _pages;
    private readonly string _filePath; // read once: every step names the file for the checks, an interface call away
    private readonly LeafCellFormat _leafFormat;
    private readonly PageNumber _root;
    // Sized for trees of up to 8 levels (far more than any file holds) and grown by Pin for deeper ones, so opening a
    // cursor does not allocate room for the 65 levels the depth limit allows.
    private PageHandle[] _path = new PageHandle[InitialLevels]; // pinned pages, root first
    private int[] _index = new int[InitialLevels]; // link followed (interior) or entry (leaf)
    private int _leafLevel = -1; // level of the pinned leaf in _path; -1 when nothing is pinned
    private byte[] _valueBuffer = [];
    private bool _valueAssembled; // _valueBuffer holds the current entry's value
    private byte[] _lastKey = []; // the last key of the leaf the walk left, to check the next leaf's first key against
    private int _lastKeyLength = -1; // -1: no leaf left yet in this walk (or the walk turned around)
    private int _direction; // +1 walking forward, -1 backward, 0 since the last seek
    private long _leavesEntered; // leaves crossed to since the last seek
    private long _entriesSeen; // entries arrived at since the walk started
    private bool _fromEdge; // the walk started at the first (forward) or last (backward) entry
    private int _treeLeafLevel = -1; // the level of the first leaf reached since the last seek; -1 before one

    internal BTreeCursor(IPageAccessor pages, PageNumber root)
    {
        _pages = pages;
        _filePath = pages.FilePath;
        _leafFormat = LeafCell.FormatOf(pages);
        _root = root;
    }

    /// <summary>True when the cursor is on an entry.</summary>
    public bool IsValid =>
        _leafLevel >= 0 && IsLeafLevel(_leafLevel) && (uint)_index[_leafLevel] < (uint)Leaf.CellCount;

    /// <summary>The current key; valid until the cursor moves.</summary>
    public ReadOnlySpan<byte> Key => LeafCell.ReadKey(CurrentCell, _leafFormat, _path[_leafLevel].Number, _filePath);

    /// <summary>The current value; valid until the cursor moves. Values partly in overflow are read on first access.</summary>
    public ReadOnlySpan<byte> Value => ReadEntry(out _);

    /// <summary>The current value, and its key in <paramref name="key"/>, from one parse of the cell (a scan's step reads both); valid until the cursor moves.</summary>
    public ReadOnlySpan<byte> ReadEntry(out ReadOnlySpan<byte> key)
    {
        LeafCell cell = LeafCell.Read(CurrentCell, _leafFormat, _path[_leafLevel].Number, _filePath);
        key = cell.Key;
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

    /// <summary>The length of the current value (no overflow read).</summary>
    public int ValueLength => LeafCell.Read(CurrentCell, _leafFormat, _path[_leafLevel].Number, _filePath).ValueLength;

    private SlottedPageReader Leaf => new(_path[_leafLevel].Data, _filePath);

    private ReadOnlySpan<byte> CurrentCell
    {
        get
        {
            if (_leafLevel < 0 || !IsLeafLevel(_leafLevel))
                ThrowHelper.ThrowInvalidOperation("The cursor is not on an entry.");
            SlottedPageReader leaf = Leaf;
            int index = _index[_leafLevel];
            if ((uint)index >= (uint)leaf.CellCount)
                ThrowHelper.ThrowInvalidOperation("The cursor is not on an entry.");
            return leaf.GetCell(index);
        }
    }

    /// <summary>Moves to the first entry whose key is &gt;= <paramref name="key"/>; false when there is none.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        BeginSeek(+1, fromEdge: false);
        PageNumber page = _root;
        for (int level = 0; ; level++)
        {
            SlottedPageReader reader = Pin(level, page);
            if (IsLeafLevel(level))
            {
                int index = NodeSearch.SearchLeaf(reader, key, _leafFormat, page, _filePath);
                int at = index >= 0 ? index : ~index;
                if (at < reader.CellCount)
                {
                    _index[level] = at;
                    return true;
                }
                _index[level] = at - 1;
                return StepForward();
            }
            int child = NodeSearch.SearchInterior(reader, key, page, _filePath);
            _index[level] = child;
            page = NodeSearch.ChildAt(reader, child, page, _filePath);
        }
    }

    /// <summary>Moves to the first entry; false when the tree is empty.</summary>
    public bool SeekFirst()
    {
        BeginSeek(+1, fromEdge: true);
        DescendToEdge(0, _root, toFirst: true);
        return IsValid ? Arrived() : StepForward();
    }

    /// <summary>Moves to the last entry; false when the tree is empty.</summary>
    public bool SeekLast()
    {
        BeginSeek(-1, fromEdge: true);
        DescendToEdge(0, _root, toFirst: false);
        return IsValid ? Arrived() : StepBackward();
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
        Walk(+1);
        int leaf = _leafLevel;
        SlottedPageReader reader = Leaf;
        if (_index[leaf] + 1 < reader.CellCount)
        {
            if (++_index[leaf] == 0)
                CheckAgainstLastKey();
            return Arrived();
        }
        int level = leaf - 1;
        while (level >= 0 && _index[level] >= new SlottedPageReader(_path[level].Data, _filePath).CellCount)
            level--;
        if (level < 0)
        {
            _index[leaf] = reader.CellCount;
            CheckCountAtEnd();
            return false;
        }
        KeepLastKey();
        int separator = _index[level]++;
        DescendFrom(level, toFirst: true);
        CheckCrossing(level, separator);
        return Arrived();
    }

    private bool StepBackward()
    {
        Walk(-1);
        int leaf = _leafLevel;
        if (_index[leaf] > 0)
        {
            SlottedPageReader reader = Leaf;
            int count = reader.CellCount;
            _index[leaf] = Math.Min(_index[leaf], count) - 1;
            if (_index[leaf] >= 0)
            {
                if (_index[leaf] + 1 == count)
                    CheckAgainstLastKey();
                return Arrived();
            }
        }
        int level = leaf - 1;
        while (level >= 0 && _index[level] == 0)
            level--;
        if (level < 0)
        {
            _index[leaf] = -1;
            CheckCountAtEnd();
            return false;
        }
        KeepLastKey();
        int separator = --_index[level];
        DescendFrom(level, toFirst: false);
        CheckCrossing(level, separator);
        return Arrived();
    }

    /// <summary>Re-pins the levels below <paramref name="level"/> along its (changed) link, to the edge of that subtree.</summary>
    private void DescendFrom(int level, bool toFirst)
    {
        var reader = new SlottedPageReader(_path[level].Data, _filePath);
        PageNumber child = NodeSearch.ChildAt(reader, _index[level], _path[level].Number, _filePath);
        if (++_leavesEntered > _pages.PageCount)
            ThrowHelper.ThrowCorrupt(_filePath, child, "a walk over the tree reached more leaves than the database has pages (interior pages share a subtree)");
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
            page = NodeSearch.ChildAt(reader, child, page, _filePath);
            level++;
        }
    }

    /// <summary>
    /// Pins <paramref name="page"/> at <paramref name="level"/>, checking it is a sound tree node within the depth
    /// limit, a leaf holds entries unless it is the root, and leaves lie at one depth.
    /// </summary>
    private SlottedPageReader Pin(int level, PageNumber page)
    {
        if (level > NodeHeader.MaxDepth)
            ThrowHelper.ThrowCorrupt(_filePath, page, "B+tree deeper than 64 levels (a cycle of links)");
        if (level == _path.Length)
        {
            Array.Resize(ref _path, Math.Min(2 * _path.Length, NodeHeader.MaxDepth + 1));
            Array.Resize(ref _index, _path.Length);
        }
        _path[level] = _pages.Read(page);
        _leafLevel = level;
        NodeHeader.CheckNode(_path[level].Data, page, _filePath, isRoot: level == 0);
        var reader = new SlottedPageReader(_path[level].Data, _filePath);
        if (IsLeafLevel(level))
        {
            if (level > 0 && reader.CellCount == 0)
                ThrowHelper.ThrowCorrupt(_filePath, page, "an empty leaf below the root");
            if (_treeLeafLevel < 0)
                _treeLeafLevel = level;
            if (!_path[level].KeyOrderChecked)
                CheckLeafOrder(reader, level);
        }
        if (_treeLeafLevel >= 0 && (level > _treeLeafLevel || (level == _treeLeafLevel) != IsLeafLevel(level)))
            ThrowHelper.ThrowCorrupt(_filePath, page, $"a page at depth {level + 1} of a tree whose leaves are at depth {_treeLeafLevel + 1}");
        return reader;
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

    /// <summary>Starts a seek: forgets the position, the walk and the leaf depth (the tree may have changed since).</summary>
    private void BeginSeek(int direction, bool fromEdge)
    {
        Moved();
        StartWalk(direction, fromEdge);
        _treeLeafLevel = -1;
        ReleaseBelow(0);
    }

    private void StartWalk(int direction, bool fromEdge)
    {
        _direction = direction;
        _fromEdge = fromEdge;
        _lastKeyLength = -1;
        _leavesEntered = 0;
        _entriesSeen = 0;
    }

    /// <summary>Notes the direction of a step; turning around starts a new walk (the kept key bounded the other way).</summary>
    private void Walk(int direction)
    {
        if (_direction != direction)
            StartWalk(direction, fromEdge: false);
    }

    private bool Arrived()
    {
        _entriesSeen++;
        return true;
    }

    /// <summary>At the far end of a walk that started at the near end: the entries met must be the root's count.</summary>
    private void CheckCountAtEnd()
    {
        if (!_fromEdge)
            return;
        _fromEdge = false; // stepping on past the end does not count again
        long recorded = NodeHeader.GetEntryCount(SlottedPageReader.UserHeaderOf(_path[0].Data));
        if (recorded != _entriesSeen)
            ThrowHelper.ThrowCorrupt(_filePath, _root, $"the root records {recorded} entries, but a walk from one end of the tree to the other met {_entriesSeen}");
    }

    /// <summary>Copies the current key (when on an entry) before the walk leaves its leaf.</summary>
    private void KeepLastKey()
    {
        if (!IsValid)
            return; // an empty leaf: the key kept before it still bounds the next one
        ReadOnlySpan<byte> key = Key;
        // Sized to the keys met, not to the 1 KiB limit: a short range scan crosses a leaf or two and keeps an 8-byte key.
        if (_lastKey.Length < key.Length)
            _lastKey = new byte[Math.Min(Math.Max(key.Length, 2 * _lastKey.Length), BTreeLimits.MaxKeyLength)];
        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
    }

    /// <summary>
    /// Checks that the keys of the leaf just pinned at <paramref name="level"/> ascend from cell to cell, before any of
    /// its entries is returned or searched, and marks its frame so later walks over the cached page skip the check.
    /// </summary>
    private void CheckLeafOrder(SlottedPageReader leaf, int level)
    {
        PageNumber page = _path[level].Number;
        int count = leaf.CellCount;
        ReadOnlySpan<byte> previous = count > 0 ? LeafCell.ReadKey(leaf.GetCell(0), _leafFormat, page, _filePath) : default;
        for (int i = 1; i < count; i++)
        {
            ReadOnlySpan<byte> key = LeafCell.ReadKey(leaf.GetCell(i), _leafFormat, page, _filePath);
            if (KeyComparer.Compare(previous, key) >= 0)
                ThrowHelper.ThrowCorrupt(_filePath, page, $"the keys of cells {i - 1} and {i} are not in ascending order");
            previous = key;
        }
        _path[level].MarkKeyOrderChecked();
    }

    /// <summary>
    /// After crossing separator <paramref name="separator"/> of the interior page at <paramref name="level"/> from one
    /// leaf to the next: the separator must lie between the last key left and the key reached (lower &lt; separator
    /// &lt;= upper), which also puts the two keys in order.
    /// </summary>
    private void CheckCrossing(int level, int separator)
    {
        Debug.Assert(_lastKeyLength >= 0, "a walk leaves a leaf only from one of its entries, and leaves below the root are never empty");
        ReadOnlySpan<byte> kept = _lastKey.AsSpan(0, _lastKeyLength);
        ReadOnlySpan<byte> key = Key;
        ReadOnlySpan<byte> lower = _direction > 0 ? kept : key;
        ReadOnlySpan<byte> upper = _direction > 0 ? key : kept;
        var interior = new SlottedPageReader(_path[level].Data, _filePath);
        ReadOnlySpan<byte> bound = InteriorCell.Read(interior.GetCell(separator), _path[level].Number, _filePath).Key;
        if (KeyComparer.Compare(lower, bound) >= 0 || KeyComparer.Compare(bound, upper) > 0)
            ThrowHelper.ThrowCorrupt(_filePath, _path[_leafLevel].Number, $"separator {separator} of page {_path[level].Number.Value} does not lie between the keys of the leaves on either side of it (keys out of order, a separator out of place, or a leaf reached twice)");
    }

    /// <summary>Checks the current key lies beyond the last key of the leaf the walk came from, in the walk's direction.</summary>
    private void CheckAgainstLastKey()
    {
        if (_lastKeyLength < 0)
            return;
        int order = KeyComparer.Compare(_lastKey.AsSpan(0, _lastKeyLength), Key);
        if (order * _direction >= 0)
            ThrowHelper.ThrowCorrupt(_filePath, _path[_leafLevel].Number, "a leaf's keys do not follow those of the leaf before it (keys out of order, or a leaf reached twice)");
    }
}
