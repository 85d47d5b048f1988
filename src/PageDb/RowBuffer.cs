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
    // A compact record's stored columns as Load found them, the first _storedCount of them: each serial type valid for
    // its column and each body inside the record, which they fill to its end (CompactRecordEncoding's invariants 1-3).
    private StoredBody[] _bodies = [];
    private int _storedCount;
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

    /// <summary>
    /// Takes copies of a stored row's key and record, read with <paramref name="layout"/>; a compact record's columns
    /// are located (and checked) at once, in one walk of its header, so each getter goes straight to its column.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The record is malformed; the buffer then holds no row.</exception>
    internal void Load(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, RecordLayout layout, string filePath)
    {
        _layout = null; // until the record is known good
        _valueCount = -1;
        _keyLength = Copy(key, ref _key);
        _recordLength = Copy(record, ref _record);
        if (layout.IsCompact)
            LocateStoredColumns(layout, filePath);
        _filePath = filePath;
        _layout = layout;
    }

    /// <summary>Fills <see cref="_bodies"/> for the compact record just copied, checking its invariants 1-3.</summary>
    private void LocateStoredColumns(RecordLayout layout, string filePath)
    {
        uint[] validTypes = layout.StoredValidTypes;
        if (_bodies.Length < validTypes.Length)
            _bodies = new StoredBody[validTypes.Length];
        var walk = new CompactColumnWalk(Record, validTypes.Length, filePath);
        for (int s = 0; s < walk.Count; s++)
        {
            int offset = walk.BodyOffset;
            int length = walk.Next(validTypes[s], out uint type).Length;
            _bodies[s] = new StoredBody(offset, length, type);
        }
        walk.CheckEnd();
        _storedCount = walk.Count;
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
        RecordLayout? layout = _layout;
        if (layout is null)
            ThrowHelper.ThrowInvalidOperation("The row buffer holds no row yet: fill it with Table.TryGet or a scan's NextInto.");
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, layout.ColumnCount);
        if (!layout.IsCompact)
            return new RecordReader(Record, layout, _filePath, Key).Read(index);
        int place = layout.Places[index];
        if (place < 0)
            return RecordReader.DecodeKeyColumn(Key, layout, ~place, _filePath);
        if (place >= _storedCount)
            return Value.Null;
        StoredBody body = _bodies[place];
        return RecordReader.DecodeCompactBody(layout.Types[index], body.Type, _record.AsSpan(body.Offset, body.Length), _filePath);
    }

    /// <summary>Where a stored column's body lies in the record, and its serial type.</summary>
    private readonly record struct StoredBody(int Offset, int Length, uint Type);

    private static int Copy(ReadOnlySpan<byte> source, ref byte[] buffer)
    {
        if (buffer.Length < source.Length)
            buffer = new byte[Math.Max(source.Length, buffer.Length * 2)];
        source.CopyTo(buffer);
        return source.Length;
    }
}
