using PageDb.Records;

namespace PageDb;

/// <summary>
/// A stored row that <see cref="Table.TryGet(Row, RowBuffer)"/> fills again and again: it keeps copies of the row's
/// encoded key and record in buffers it reuses, and decodes a column only when a getter asks, so a warm lookup into
/// it allocates nothing (only <see cref="RowValues.GetString"/>, <see cref="RowValues.GetBytes"/> (a new array) and
/// <see cref="ToRow"/> allocate what they return); the typed getters are <see cref="Row"/>'s. A scan's step
/// (<see cref="Execution.TableScan.NextInto"/>, <see cref="Execution.IndexScan.NextInto(RowBuffer)"/>) fills it
/// with the scan's columns instead (column i is the scan's column i), decoded at once into values the buffer reuses,
/// as the scan would decode a <see cref="Row"/>'s. Holds its own copies, so it stays readable after its transaction
/// ends; use it from one thread at a time.
/// </summary>
public sealed class RowBuffer : RowValues
{
    private byte[] _key = new byte[32];
    private byte[] _record = new byte[256];
    private int _keyLength;
    private int _recordLength;
    private RecordLayout? _layout;
    private string _filePath = "";
    private Value[] _values = []; // a scan's decoded columns, the first _valueCount of them
    private int _valueCount = -1; // -1: the buffer holds an encoded row (or none), not decoded values

    /// <summary>The number of columns of the row last loaded (0 before the first).</summary>
    public override int Count => _valueCount >= 0 ? _valueCount : _layout?.ColumnCount ?? 0;

    /// <summary>The whole row as a new <see cref="Row"/>.</summary>
    /// <exception cref="InvalidOperationException">Nothing was loaded yet.</exception>
    public Row ToRow()
    {
        var values = new Value[Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = Read(i);
        return new Row(values);
    }

    /// <summary>The values in parentheses, for messages and debugging.</summary>
    public override string ToString() => Count == 0 ? "()" : ToRow().ToString();

    /// <summary>Takes copies of a stored row's key and record, read with <paramref name="layout"/>.</summary>
    internal void Load(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, RecordLayout layout, string filePath)
    {
        _keyLength = Copy(key, ref _key);
        _recordLength = Copy(record, ref _record);
        _layout = layout;
        _filePath = filePath;
        _valueCount = -1;
    }

    /// <summary>Takes a copy of the record; the key is set by <see cref="LoadKey"/>.</summary>
    internal void LoadRecord(ReadOnlySpan<byte> record) => _recordLength = Copy(record, ref _record);

    /// <summary>Takes a copy of the key of the row about to be loaded with <see cref="LoadRecord"/>.</summary>
    internal void LoadKey(ReadOnlySpan<byte> key, RecordLayout layout, string filePath)
    {
        _keyLength = Copy(key, ref _key);
        _layout = layout;
        _filePath = filePath;
        _valueCount = -1;
    }

    /// <summary>Room for a row of <paramref name="count"/> decoded values, which the caller fills at once: the buffer then holds them.</summary>
    internal Span<Value> StartValues(int count)
    {
        if (_values.Length < count)
            _values = new Value[count];
        _valueCount = count;
        return _values.AsSpan(0, count);
    }

    /// <summary>The key of the row last loaded.</summary>
    internal ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    /// <summary>The record of the row last loaded.</summary>
    internal ReadOnlySpan<byte> Record => _record.AsSpan(0, _recordLength);

    /// <inheritdoc/>
    internal override Value ValueAt(int ordinal) => Read(ordinal);

    /// <summary>Decodes column <paramref name="index"/> of the row last loaded.</summary>
    internal Value Read(int index)
    {
        if (_valueCount >= 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _valueCount);
            return _values[index];
        }
        if (_layout is null)
            ThrowHelper.ThrowInvalidOperation("The row buffer holds no row yet: fill it with Table.TryGet or a scan's NextInto.");
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _layout.ColumnCount);
        return new RecordReader(Record, _layout, _filePath, Key).Read(index);
    }

    private static int Copy(ReadOnlySpan<byte> source, ref byte[] buffer)
    {
        if (buffer.Length < source.Length)
            buffer = new byte[Math.Max(source.Length, buffer.Length * 2)];
        source.CopyTo(buffer);
        return source.Length;
    }
}
