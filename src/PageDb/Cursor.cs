using PageDb.Btree;

namespace PageDb;

/// <summary>
/// A position in a <see cref="Tree"/>, moved by seeks and steps. <see cref="Key"/> and <see cref="Value"/> are views
/// into the page and are valid only until the cursor moves or is disposed. Moving allocates nothing (values stored
/// in overflow pages are read into a buffer the cursor reuses). A change made through the transaction after the
/// cursor was positioned invalidates the position: seek again. The cursor is disposed with its transaction at the latest.
/// </summary>
public sealed class Cursor : IDisposable
{
    private readonly ReadTransaction _transaction;
    private readonly BTreeCursor _cursor;
    private long _positionedAtChange;
    private bool _disposed;

    internal Cursor(ReadTransaction transaction, BTreeCursor cursor)
    {
        _transaction = transaction;
        _cursor = cursor;
        _positionedAtChange = transaction.ChangeCount;
    }

    /// <summary>The key at the cursor; valid until the cursor moves.</summary>
    /// <exception cref="InvalidOperationException">The cursor is not on an entry, or the tree changed since it was positioned.</exception>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            EnsurePositionCurrent();
            return _cursor.Key;
        }
    }

    /// <summary>The value at the cursor; valid until the cursor moves.</summary>
    /// <exception cref="InvalidOperationException">The cursor is not on an entry, or the tree changed since it was positioned.</exception>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            EnsurePositionCurrent();
            return _cursor.Value;
        }
    }

    /// <summary>The value at the cursor and its key in <paramref name="key"/>, read together (a scan's step); valid until the cursor moves.</summary>
    internal ReadOnlySpan<byte> ReadEntry(out ReadOnlySpan<byte> key)
    {
        EnsurePositionCurrent();
        return _cursor.ReadEntry(out key);
    }

    /// <summary>Moves to the first key at or after <paramref name="key"/>; false when there is none.</summary>
    public bool Seek(ReadOnlySpan<byte> key)
    {
        EnsureUsable();
        _positionedAtChange = _transaction.ChangeCount;
        return _cursor.Seek(key);
    }

    /// <summary>Moves to the smallest key; false when the tree is empty.</summary>
    public bool SeekFirst()
    {
        EnsureUsable();
        _positionedAtChange = _transaction.ChangeCount;
        return _cursor.SeekFirst();
    }

    /// <summary>Moves to the largest key; false when the tree is empty.</summary>
    public bool SeekLast()
    {
        EnsureUsable();
        _positionedAtChange = _transaction.ChangeCount;
        return _cursor.SeekLast();
    }

    /// <summary>Moves to the next key; false at the end.</summary>
    public bool Next()
    {
        EnsurePositionCurrent();
        return _cursor.Next();
    }

    /// <summary>Moves to the previous key; false at the beginning.</summary>
    public bool Previous()
    {
        EnsurePositionCurrent();
        return _cursor.Previous();
    }

    /// <summary>Releases the pages the cursor holds.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _cursor.Dispose();
        _transaction.Untrack(this);
    }

    private void EnsureUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _transaction.EnsureActive();
    }

    /// <summary>The B+tree cursor this one guards.</summary>
    internal BTreeCursor Inner => _cursor;

    /// <summary>Throws when the cursor or its transaction has ended, or the tree changed since the cursor was positioned.</summary>
    internal void EnsurePositionCurrent()
    {
        EnsureUsable();
        if (_positionedAtChange != _transaction.ChangeCount)
            throw new InvalidOperationException("The tree was changed after the cursor was positioned; seek again.");
    }
}
