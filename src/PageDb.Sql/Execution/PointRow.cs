using System.Collections;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// The one result row of a point read by the whole primary key, read when the query starts (see
/// <see cref="TableAccess.TryProject"/>): the row's result columns in one array, enumerated once. A runner's execution
/// context keeps one (<see cref="ExecutionContext.PointRow"/>) and hands it to each such query it runs, so a prepared
/// point query run again and again makes no iterator or row array: the context serves one top-level reader at a time,
/// and a session gives a runner to the next reader only once the reader before has been disposed.
/// </summary>
internal sealed class PointRow : IEnumerable<SqlValue[]>, IEnumerator<SqlValue[]>
{
    private bool _pending;

    /// <summary>The row's result columns, overwritten by the next query the context runs.</summary>
    public SqlValue[] Current { get; private set; } = [];

    object IEnumerator.Current => Current;

    /// <summary>Makes the row <paramref name="width"/> columns wide, to be filled, and enumerated once after.</summary>
    public SqlValue[] Start(int width)
    {
        if (Current.Length != width)
            Current = new SqlValue[width];
        _pending = true;
        return Current;
    }

    /// <summary>Makes the holder give no row: the key found none.</summary>
    public PointRow None()
    {
        _pending = false;
        return this;
    }

    /// <summary>True once, on the row.</summary>
    public bool MoveNext()
    {
        bool moved = _pending;
        _pending = false;
        return moved;
    }

    /// <summary>Not supported: the row is read once.</summary>
    public void Reset() => throw new NotSupportedException("A point read's row is read once.");

    /// <summary>Nothing to close: the row was read when the query started.</summary>
    public void Dispose() => _pending = false;

    /// <summary>The row itself: enumerated once.</summary>
    public IEnumerator<SqlValue[]> GetEnumerator() => this;

    IEnumerator IEnumerable.GetEnumerator() => this;
}
