using System.Collections;
using PageDb.Execution;
using PageDb.Records;
using PageDb.Sql.Values;

namespace PageDb.Sql.Execution;

/// <summary>
/// The result rows of a plain query of one table read by its primary key in a snapshot, taken straight from the scan
/// (see <see cref="TableAccess.TryProject"/>): each step decodes the columns read into one reused buffer and converts
/// only the result columns, into one array that every row reuses. It stands in for the key read's iterator, the
/// core's loop over it and the evaluation of each result column, so a row costs one step from the scan to the reader.
/// The scan opens on the first <see cref="MoveNext"/>; enumerated once.
/// </summary>
internal sealed class ProjectedScan(IndexScan scan, int width, int[] positions) : IEnumerable<SqlValue[]>, IEnumerator<SqlValue[]>
{
    private readonly Value[] _stored = new Value[width];
    private bool _opened;

    /// <summary>The current row: result column i is the decoded column at <c>positions[i]</c>.</summary>
    public SqlValue[] Current { get; } = new SqlValue[positions.Length];

    object IEnumerator.Current => Current;

    /// <summary>Moves to the next row, overwriting <see cref="Current"/>; false after the last.</summary>
    public bool MoveNext()
    {
        if (!_opened)
        {
            scan.Open();
            _opened = true;
        }
        if (!scan.NextInto(_stored))
            return false;
        SqlValue[] row = Current;
        for (int i = 0; i < row.Length; i++)
            row[i] = StoredValues.FromStored(_stored[positions[i]]);
        return true;
    }

    /// <summary>Not supported: the rows are read once.</summary>
    public void Reset() => throw new NotSupportedException("A scan's rows are read once.");

    /// <summary>Closes the scan.</summary>
    public void Dispose() => scan.Dispose();

    /// <summary>The scan itself: its rows are enumerated once.</summary>
    public IEnumerator<SqlValue[]> GetEnumerator() => this;

    IEnumerator IEnumerable.GetEnumerator() => this;
}
