using System.Diagnostics.CodeAnalysis;
using PageDb.Sql.Execution;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql;

/// <summary>
/// The rows of a statement run by <see cref="SqlSession.ExecuteReader"/>, read one at a time as the operators produce
/// them (an ORDER BY that no index gives, grouping and compound queries read every row first). A query outside
/// BEGIN ... COMMIT reads a snapshot in a read transaction of its own, held until the reader is disposed: changes
/// made meanwhile, on this session too, are not seen. A query inside a transaction reads that transaction, and its
/// later rows may see the session's changes made after it opened; when the transaction ends (COMMIT or ROLLBACK) the
/// reader ends too and a further <see cref="Read"/> throws. Disposing the session disposes its open readers.
/// As with an ADO.NET data reader, the current row is valid until the next <see cref="Read"/>: the reader may produce
/// every row in the same storage, so a caller that keeps a row copies it (<c>[.. reader.Current]</c>).
/// </summary>
public sealed class SqlRowReader : IDisposable
{
    private readonly SqlSession? _session;
    private readonly string _sql;
    private readonly int _offset;
    private readonly ReadTransaction? _snapshot;
    // The runner the rows run in, given back to the session when the reader is disposed (see SqlSession.Forget).
    private readonly StatementRunner? _runner;
    private IEnumerator<SqlValue[]>? _rows;
    private SqlValue[] _current = [];
    private string? _ended;

    internal SqlRowReader(SqlSession? session, string sql, int offset, IReadOnlyList<string> columns, IEnumerator<SqlValue[]> rows, long rowsAffected, ReadTransaction? snapshot, StatementRunner? runner = null)
    {
        _runner = runner;
        _session = session;
        _sql = sql;
        _offset = offset;
        Columns = columns;
        _rows = rows;
        RowsAffected = rowsAffected;
        _snapshot = snapshot;
    }

    /// <summary>A reader over the finished <paramref name="result"/>.</summary>
    internal static SqlRowReader Of(SqlResult result) =>
        new(null, "", 0, result.Columns, result.Rows.Select(r => r as SqlValue[] ?? [.. r]).GetEnumerator(), result.RowsAffected, null);

    /// <summary>The result columns' names; empty for a statement that is not a query.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows inserted, updated or deleted; -1 for a query or a schema statement.</summary>
    public long RowsAffected { get; }

    /// <summary>
    /// The row <see cref="Read"/> moved to, with one value per column (empty before the first). It is a view of the
    /// reader's current row, valid until the next <see cref="Read"/>, which may overwrite it: copy it to keep it.
    /// Empty once the reader is disposed.
    /// </summary>
    public IReadOnlyList<SqlValue> Current => _current;

    /// <summary>The value in column <paramref name="ordinal"/> of the row <see cref="Read"/> moved to.</summary>
    /// <exception cref="IndexOutOfRangeException">No such column, or no current row (before the first <see cref="Read"/>).</exception>
    /// <exception cref="InvalidOperationException">The reader was disposed (<see cref="ObjectDisposedException"/>), or its transaction ended.</exception>
    public SqlValue this[int ordinal]
    {
        get
        {
            ThrowIfClosed();
            return _current[ordinal];
        }
    }

    /// <summary>Moves to the next row; false after the last.</summary>
    /// <exception cref="InvalidOperationException">The reader was disposed (<see cref="ObjectDisposedException"/>), or its transaction ended.</exception>
    /// <exception cref="SqlException">Computing the row failed (a type error, for instance).</exception>
    public bool Read()
    {
        ThrowIfClosed();
        try
        {
            if (!_rows.MoveNext())
                return false;
        }
        catch (ArgumentException e)
        {
            throw SourcePosition.Error(_sql, _offset, e.Message);
        }
        _current = _rows.Current;
        return true;
    }

    /// <summary>
    /// Throws once the reader is closed: its row may be storage the session's next query overwrites (see
    /// <see cref="Dispose"/>), so a closed reader gives no value rather than a later query's.
    /// </summary>
    [MemberNotNull(nameof(_rows))]
    private void ThrowIfClosed()
    {
        if (_ended is not null)
            throw new InvalidOperationException(_ended);
        ObjectDisposedException.ThrowIf(_rows is null, this);
    }

    /// <summary>Stops reading and releases the reader's read transaction.</summary>
    public void Dispose()
    {
        if (_rows is null)
            return;
        _rows.Dispose();
        _rows = null;
        // The row may be an array the session's next query overwrites (see PointRow).
        _current = [];
        _snapshot?.Dispose();
        _session?.Forget(this, _runner);
    }

    /// <summary>True when the reader reads the session's transaction rather than a snapshot of its own.</summary>
    internal bool InSessionTransaction => _snapshot is null;

    /// <summary>Ends the reader because the transaction it reads ended.</summary>
    internal void End(string reason)
    {
        Dispose();
        _ended = reason;
    }
}
