using PageDb.Btree;

namespace PageDb;

/// <summary>
/// A position in a <see cref="Tree"/>, moved by seeks and steps. <see cref="Key"/> and <see cref="Value"/> are views
/// into the page and are valid only until the cursor moves or is disposed. Moving allocates nothing (values stored
/// in overflow pages are read into a buffer the cursor reuses). Dispose it to release the pages it holds.
/// </summary>
public sealed class Cursor : IDisposable
{
    private readonly ReadTransaction _transaction;
    private readonly BTreeCursor _cursor;

    internal Cursor(ReadTransaction transaction, BTreeCursor cursor)
    {
        _transaction = transaction;
        _cursor = cursor;
    }

    /// <summary>The key at the cursor; valid until the cursor moves.</summary>
    /// <exception cref="InvalidOperationException">The cursor is not on an entry.</exception>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            _transaction.EnsureActive();
            return _cursor.Key;
        }
    }

    /// <summary>The value at the cursor; valid until the cursor moves.</summary>
    /// <exception cref="InvalidOperationException">The cursor is not on an entry.</exception>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            _transaction.EnsureActive();
            return _cursor.Value;
        }
    }

    /// <summary>Moves to the first key at or after <paramref name="key"/>; false when there is none.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        _transaction.EnsureActive();
        return _cursor.Seek(key);
    }

    /// <summary>Moves to the smallest key; false when the tree is empty.</summary>
    public bool SeekFirst()
    {
        _transaction.EnsureActive();
        return _cursor.SeekFirst();
    }

    /// <summary>Moves to the largest key; false when the tree is empty.</summary>
    public bool SeekLast()
    {
        _transaction.EnsureActive();
        return _cursor.SeekLast();
    }

    /// <summary>Moves to the next key; false at the end.</summary>
    public bool Next()
    {
        _transaction.EnsureActive();
        return _cursor.Next();
    }

    /// <summary>Moves to the previous key; false at the beginning.</summary>
    public bool Previous()
    {
        _transaction.EnsureActive();
        return _cursor.Previous();
    }

    /// <summary>Releases the pages the cursor holds.</summary>
    public void Dispose() => _cursor.Dispose();
}
