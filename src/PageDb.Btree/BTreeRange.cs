namespace PageDb.Btree;

/// <summary>
/// The entries of a tree with from &lt;= key &lt; to, in ascending or descending order, for <c>foreach</c>. Each
/// step yields views into the pinned leaf (<see cref="BTreeEntry"/>), valid until the next step; enumeration opens
/// one cursor and allocates nothing per entry.
/// </summary>
internal readonly struct BTreeRange
{
    private readonly BTree _tree;
    private readonly byte[]? _from;
    private readonly byte[]? _to;
    private readonly bool _descending;

    internal BTreeRange(BTree tree, byte[]? from, byte[]? to, bool descending)
    {
        _tree = tree;
        _from = from;
        _to = to;
        _descending = descending;
    }

    /// <summary>Starts an enumeration (dispose it, as <c>foreach</c> does, to release the cursor's pages).</summary>
    public Enumerator GetEnumerator() => new(_tree.OpenCursor(), _from, _to, _descending);

    /// <summary>Walks a range with a cursor.</summary>
    public struct Enumerator : IDisposable
    {
        private readonly BTreeCursor _cursor;
        private readonly byte[]? _from;
        private readonly byte[]? _to;
        private readonly bool _descending;
        private bool _started;

        internal Enumerator(BTreeCursor cursor, byte[]? from, byte[]? to, bool descending)
        {
            _cursor = cursor;
            _from = from;
            _to = to;
            _descending = descending;
            _started = false;
        }

        /// <summary>The current entry.</summary>
        public readonly BTreeEntry Current => new(_cursor);

        /// <summary>Moves to the next entry of the range; false when the range is exhausted.</summary>
        public bool MoveNext()
        {
            bool moved;
            if (_started)
            {
                moved = _descending ? _cursor.Previous() : _cursor.Next();
            }
            else
            {
                _started = true;
                moved = _descending ? SeekBelow(_cursor, _to) : SeekFrom(_cursor, _from);
            }
            return moved && InRange();
        }

        /// <summary>Releases the cursor.</summary>
        public readonly void Dispose() => _cursor.Dispose();

        private static bool SeekFrom(BTreeCursor cursor, byte[]? from) =>
            from is null ? cursor.SeekFirst() : cursor.Seek(from);

        /// <summary>The last entry below <paramref name="to"/> (or the last entry when open).</summary>
        private static bool SeekBelow(BTreeCursor cursor, byte[]? to)
        {
            if (to is null)
                return cursor.SeekLast();
            return cursor.Seek(to) ? cursor.Previous() : cursor.SeekLast();
        }

        private readonly bool InRange() => _descending
            ? _from is null || KeyComparer.Compare(_cursor.Key, _from) >= 0
            : _to is null || KeyComparer.Compare(_cursor.Key, _to) < 0;
    }
}

/// <summary>
/// One entry of a range: views into a pinned page, valid until the enumeration moves. The value is read (from
/// overflow pages, when it has some) only when asked for.
/// </summary>
internal readonly ref struct BTreeEntry
{
    private readonly BTreeCursor _cursor;

    internal BTreeEntry(BTreeCursor cursor) => _cursor = cursor;

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key => _cursor.Key;

    /// <summary>The value.</summary>
    public ReadOnlySpan<byte> Value => _cursor.Value;
}
