using System.Buffers;
using PageDb.Btree;
using PageDb.Core.Pages;

namespace PageDb;

/// <summary>
/// A named, ordered key-value tree inside a transaction. Keys are compared as unsigned bytes. Valid only while its
/// transaction is active; reads through a read transaction see that transaction's snapshot. A change made through the
/// transaction invalidates its open cursors' positions: they must seek again (stepping throws, like a modified collection).
/// </summary>
public sealed class Tree
{
    private readonly ReadTransaction _transaction;
    private readonly BTree _btree;

    internal Tree(ReadTransaction transaction, string name, PageNumber root)
    {
        _transaction = transaction;
        Name = name;
        _btree = transaction.OpenBTree(root);
    }

    /// <summary>The tree's name in the catalog.</summary>
    public string Name { get; }

    /// <summary>The number of keys in the tree (kept in the tree's root: O(1)).</summary>
    public long Count
    {
        get
        {
            _transaction.EnsureActive();
            return _btree.Count;
        }
    }

    /// <summary>Inserts <paramref name="key"/> with <paramref name="value"/>, replacing any value it had.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="BTreeLimits.MaxKeyLength"/> bytes, or the
    /// value is longer than <see cref="BTreeLimits.MaxValueLength"/> bytes; nothing is changed.</exception>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _transaction.EnsureWritable();
        _transaction.NoteChange();
        _btree.Put(key, value);
    }

    /// <summary>Removes <paramref name="key"/>; returns false when it was not there.</summary>
    public bool Delete(ReadOnlySpan<byte> key)
    {
        _transaction.EnsureWritable();
        _transaction.NoteChange();
        return _btree.Delete(key);
    }

    /// <summary>The value of <paramref name="key"/>, or null when the key is absent.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        _transaction.EnsureActive();
        return _btree.Get(key);
    }

    /// <summary>Looks up <paramref name="key"/>; returns false (and an empty array) when it is absent.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[] value)
    {
        _transaction.EnsureActive();
        return _btree.TryGet(key, out value);
    }

    /// <summary>
    /// Looks up <paramref name="key"/> and, when found, appends its value to <paramref name="value"/> (for example an
    /// <see cref="ArrayBufferWriter{T}"/> the caller resets and reuses: then a warm lookup allocates nothing).
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, IBufferWriter<byte> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _transaction.EnsureActive();
        return _btree.TryRead(key, value, static (found, destination) => destination.Write(found));
    }

    /// <summary>
    /// Looks up <paramref name="key"/> and, when found, calls <paramref name="reader"/> with its value and
    /// <paramref name="state"/>, without copying the value out of the page when it fits in one. The span is valid only
    /// during the call; a static lambda with its state in <paramref name="state"/> makes the lookup allocate nothing.
    /// </summary>
    public bool TryRead<TState>(ReadOnlySpan<byte> key, TState state, ReadOnlySpanAction<byte, TState> reader)
        where TState : allows ref struct
    {
        ArgumentNullException.ThrowIfNull(reader);
        _transaction.EnsureActive();
        return _btree.TryRead(key, state, reader);
    }

    /// <summary>Opens a cursor over the tree, positioned nowhere until a seek.</summary>
    public Cursor OpenCursor()
    {
        _transaction.EnsureActive();
        var cursor = new Cursor(_transaction, _btree.OpenCursor());
        _transaction.Track(cursor);
        return cursor;
    }

    /// <summary>
    /// The entries from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) in key order; a null
    /// bound is open. Each entry's key and value are copies, so they stay valid after the enumeration moves on.
    /// </summary>
    public IEnumerable<(byte[] Key, byte[] Value)> Range(byte[]? from, byte[]? to)
    {
        _transaction.EnsureActive();
        return Enumerate(from, to);
    }

    /// <summary>
    /// Walks the range with the B+tree's own range enumerator over a cursor of this transaction, which releases its
    /// pages when the transaction ends and refuses to step once the tree was changed.
    /// </summary>
    private IEnumerable<(byte[] Key, byte[] Value)> Enumerate(byte[]? from, byte[]? to)
    {
        using Cursor cursor = OpenCursor();
        var range = new BTreeRange.Enumerator(cursor.Inner, from, to, descending: false);
        for (bool more = range.MoveNext(); more; more = Step(cursor, ref range))
            yield return (range.Current.Key.ToArray(), range.Current.Value.ToArray());
    }

    private static bool Step(Cursor cursor, ref BTreeRange.Enumerator range)
    {
        cursor.EnsurePositionCurrent();
        return range.MoveNext();
    }
}
