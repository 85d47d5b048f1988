using PageDb.Records;

namespace PageDb.Execution;

/// <summary>
/// Reads the rows whose primary key or secondary-index value lies in a key range, in that key's order: it seeks to
/// the low bound and stops at the high one. Through a secondary index, each entry's primary key fetches the row, and
/// the row must give back the entry (else <see cref="CorruptDatabaseException"/>); a scan of the whole index also
/// checks at its end that the index holds an entry for every row. Create it with <see cref="Table.IndexScan"/>.
/// </summary>
public sealed class IndexScan : PlanOperator
{
    private readonly Table _table;
    private readonly TableIndex? _index;
    private readonly KeyRange _range;
    private readonly RecordProjection _projection;
    private Cursor? _cursor;
    private ScanState _state;
    private bool _pastLow; // a key at or above the low bound was met: every later one is too, in key order

    internal IndexScan(Table table, TableIndex? index, KeyRange range, IReadOnlyList<string>? columns)
    {
        _table = table;
        _index = index;
        _range = range;
        _projection = table.Definition.Projection(columns);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns => _projection.Columns;

    /// <inheritdoc/>
    public override string ToString() =>
        $"IndexScan {_table.Name}.{_index?.Name ?? "primary key"} {_range} [{string.Join(", ", Columns.Select(c => c.Name))}]";

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _cursor = _table.OpenCursor(_index?.Tree ?? _table.Tree);
        _state = ScanState.Before;
        _pastLow = false;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        if (!Advance(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
            return null;
        return _index is null ? _table.DecodeRow(key, value, _projection) : Fetch(key, value);
    }

    /// <summary>
    /// Decodes the next row into <paramref name="values"/> (one value per column produced) instead of a new
    /// <see cref="Row"/>, for a caller that reuses the buffer; false when there are no more. The scan must be open.
    /// </summary>
    internal bool NextInto(Span<Value> values)
    {
        if (_cursor is null)
            ThrowHelper.ThrowInvalidOperation("Open the IndexScan before asking it for rows.");
        if (!Advance(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
            return false;
        if (_index is null)
            _table.DecodeInto(key, value, _projection, values);
        else
            _table.DecodeInto(value, FetchRecord(key, value), _projection, values);
        return true;
    }

    /// <summary>
    /// Loads the next row into <paramref name="row"/>, a buffer the caller reuses, instead of making a new
    /// <see cref="Row"/>: column i of <paramref name="row"/> is <see cref="Columns"/>[i], decoded into the buffer's
    /// reused values, so a step of a primary-key range allocates nothing but the strings and byte arrays of the columns
    /// asked for (through a secondary index, the row's record is also fetched into a new array). False when there are no more rows, leaving <paramref name="row"/> as it was.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scan is not open.</exception>
    public bool NextInto(RowBuffer row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_cursor is null)
            ThrowHelper.ThrowInvalidOperation("Open the IndexScan before asking it for rows.");
        if (!Advance(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value))
            return false;
        if (_index is null)
            _table.DecodeInto(key, value, _projection, row.StartValues(_projection.Ordinals.Length));
        else
            _table.DecodeInto(value, FetchRecord(key, value), _projection, row.StartValues(_projection.Ordinals.Length));
        return true;
    }

    /// <summary>
    /// Moves to the next entry in the range and gives its key and value from one parse of the cell; false at the end
    /// (a whole index read then checks its entry count).
    /// </summary>
    private bool Advance(out ReadOnlySpan<byte> entryKey, out ReadOnlySpan<byte> entryValue)
    {
        entryKey = default;
        entryValue = default;
        Cursor cursor = _cursor!;
        while (_state.Advance(cursor, _range.Low, _range.Low is not null))
        {
            ReadOnlySpan<byte> value = cursor.ReadEntry(out ReadOnlySpan<byte> key);
            if (!_pastLow && _range.IsBelow(key))
                continue;
            _pastLow = true;
            if (_range.IsAbove(key))
            {
                _state = ScanState.Done;
                return false;
            }
            entryKey = key;
            entryValue = value;
            return true;
        }
        if (_index is not null && _range.Low is null && _range.High is null)
            _table.CheckIndexCount(_index);
        return false;
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _cursor?.Dispose();
        _cursor = null;
    }

    private Row Fetch(ReadOnlySpan<byte> entryKey, ReadOnlySpan<byte> primaryKey) =>
        _table.DecodeRow(primaryKey, FetchRecord(entryKey, primaryKey), _projection);

    /// <summary>The record of the row an index entry names, checked to give back the entry.</summary>
    private byte[] FetchRecord(ReadOnlySpan<byte> entryKey, ReadOnlySpan<byte> primaryKey)
    {
        if (!_table.Tree.TryGet(primaryKey, out byte[] record))
            ThrowHelper.ThrowCorrupt(_table.FilePath, $"index '{_index!.Name}' of table '{_table.Name}' names a row that does not exist");
        _table.CheckIndexEntry(_index!, entryKey, primaryKey, record);
        return record;
    }
}
