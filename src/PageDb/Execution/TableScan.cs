using PageDb.Expressions;
using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Reads a table in primary-key order, keeping the rows for which the pushed-down predicate holds and producing only
/// the projected columns. The predicate is evaluated on the encoded record: it decodes only the columns it names,
/// and a rejected row allocates nothing. Create it with <see cref="Table.Scan"/>.
/// </summary>
public sealed class TableScan : PlanOperator
{
    private readonly Table _table;
    private readonly RecordProjection _projection;
    private readonly Expr? _where;
    private readonly Expr? _boundWhere;
    private readonly EncodedRow? _current; // where the predicate reads rows; none without one
    private Cursor? _cursor;
    private ScanState _state;

    internal TableScan(Table table, IReadOnlyList<string>? columns, Expr? where)
    {
        _table = table;
        _projection = table.Definition.Projection(columns);
        _where = where;
        _boundWhere = where?.Bind(table.Definition.ScanColumns);
        _current = where is null ? null : new EncodedRow(table);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns => _projection.Columns;

    /// <inheritdoc/>
    public override string ToString() =>
        $"TableScan {_table.Name} [{string.Join(", ", Columns.Select(c => c.Name))}]" + (_where is null ? "" : $" where {_where}");

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _cursor = _table.OpenCursor(_table.Tree);
        _state = ScanState.Before;
    }

    /// <inheritdoc/>
    protected override Row? OnNext() =>
        Advance(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> record) ? _table.DecodeRow(key, record, _projection) : null;

    /// <summary>
    /// Loads the next row into <paramref name="row"/>, a buffer the caller reuses, instead of making a new
    /// <see cref="Row"/>: column i of <paramref name="row"/> is <see cref="Columns"/>[i], decoded into the buffer's
    /// reused values, so a step allocates nothing but the strings and byte arrays of the columns asked for. False when there are no more rows, leaving <paramref name="row"/> as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scan is not open.</exception>
    public bool NextInto(RowBuffer row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_cursor is null)
            ThrowHelper.ThrowInvalidOperation("Open the TableScan before asking it for rows.");
        if (!Advance(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> record))
            return false;
        _table.DecodeInto(key, record, _projection, row.StartValues(_projection.Ordinals.Length));
        return true;
    }

    /// <summary>Moves to the next entry whose row the predicate keeps and gives its key and record; false at the end.</summary>
    private bool Advance(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> record)
    {
        Cursor cursor = _cursor!;
        while (_state.Advance(cursor))
        {
            record = cursor.ReadEntry(out key);
            if (_boundWhere is null)
                return true;
            _current!.Load(key, record);
            if (_boundWhere.IsTrue(_current))
                return true;
        }
        key = default;
        record = default;
        return false;
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _cursor?.Dispose();
        _cursor = null;
    }
}
