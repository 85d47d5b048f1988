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
    private readonly int[] _ordinals;
    private Cursor? _cursor;
    private ScanState _state;

    internal IndexScan(Table table, TableIndex? index, KeyRange range, IReadOnlyList<string>? columns)
    {
        _table = table;
        _index = index;
        _range = range;
        _ordinals = TableScan.Ordinals(table, columns);
        Columns = TableScan.Select(table.Definition.ScanColumns, _ordinals);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<OutputColumn> Columns { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"IndexScan {_table.Name}.{_index?.Name ?? "primary key"} {_range} [{string.Join(", ", Columns.Select(c => c.Name))}]";

    /// <inheritdoc/>
    protected override void OnOpen()
    {
        _cursor = _table.OpenCursor(_index?.Tree ?? _table.Tree);
        _state = ScanState.Before;
    }

    /// <inheritdoc/>
    protected override Row? OnNext()
    {
        Cursor cursor = _cursor!;
        while (_state.Advance(cursor, _range.Low, _range.Low is not null))
        {
            ReadOnlySpan<byte> value = cursor.ReadEntry(out ReadOnlySpan<byte> key);
            if (_range.IsBelow(key))
                continue;
            if (_range.IsAbove(key))
            {
                _state = ScanState.Done;
                return null;
            }
            return _index is null ? _table.DecodeRow(key, value, _ordinals) : Fetch(key, value);
        }
        if (_index is not null && _range.Low is null && _range.High is null)
            _table.CheckIndexCount(_index);
        return null;
    }

    /// <inheritdoc/>
    protected override void OnClose()
    {
        _cursor?.Dispose();
        _cursor = null;
    }

    private Row Fetch(ReadOnlySpan<byte> entryKey, ReadOnlySpan<byte> primaryKey)
    {
        if (!_table.Tree.TryGet(primaryKey, out byte[] record))
            ThrowHelper.ThrowCorrupt(_table.FilePath, $"index '{_index!.Name}' of table '{_table.Name}' names a row that does not exist");
        _table.CheckIndexEntry(_index!, entryKey, primaryKey, record);
        return _table.DecodeRow(primaryKey, record, _ordinals);
    }
}
