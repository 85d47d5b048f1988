using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace PageDb.Records;

/// <summary>
/// Reads single columns of an encoded record (<see cref="RecordEncoding"/> or <see cref="CompactRecordEncoding"/>,
/// by the layout's format) without decoding the rest; every read checks the bytes it touches and reports a malformed
/// record as corruption. Compact records leave exact-key columns to the row's B+tree key: give it to read those.
/// Reading columns in ascending order walks a compact header once.
/// </summary>
internal ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _record;
    private readonly ReadOnlySpan<byte> _key;
    private readonly RecordLayout _layout;
    private readonly string _filePath;
    private readonly int _count;
    private readonly int _header;

    // Compact records: where the header walk stands (stored column index, its serial type's offset, its body's offset).
    private int _walkIndex;
    private int _walkType;
    private int _walkBody;

    public RecordReader(ReadOnlySpan<byte> record, RecordLayout layout, string filePath)
        : this(record, layout, filePath, default)
    {
    }

    /// <summary>A reader of <paramref name="record"/>, stored under <paramref name="key"/> (needed only to read key columns of a compact record).</summary>
    public RecordReader(ReadOnlySpan<byte> record, RecordLayout layout, string filePath, ReadOnlySpan<byte> key)
    {
        _record = record;
        _key = key;
        _layout = layout;
        _filePath = filePath;
        if (layout.IsCompact)
        {
            int offset = 0;
            if (!CompactRecordEncoding.TryReadVarint(record, ref offset, out uint count) || count > layout.StoredOrdinals.Length)
                ThrowHelper.ThrowCorrupt(filePath, "a record's column count is unreadable or larger than its schema's");
            _count = (int)count;
            _walkType = offset;
            _header = offset;
            _walkBody = SkipTypes(record, offset, _count, filePath);
            return;
        }
        if (record.Length < RecordEncoding.BitmapOffset)
            ThrowHelper.ThrowCorrupt(filePath, "a record is shorter than its header");
        _count = BinaryPrimitives.ReadUInt16LittleEndian(record);
        _header = RecordLayout.HeaderSize(_count);
        if (_count > layout.ColumnCount || record.Length < _header + layout.SlotOffsets[_count])
            ThrowHelper.ThrowCorrupt(filePath, "a record's column count does not fit its schema or its length");
    }

    /// <summary>True when column <paramref name="ordinal"/> is null (or past the record's column count).</summary>
    public bool IsNull(int ordinal)
    {
        if (!_layout.IsCompact)
            return ordinal >= _count || (_record[RecordEncoding.BitmapOffset + ordinal / 8] & (1 << (ordinal % 8))) != 0;
        int place = _layout.Places[ordinal];
        if (place < 0)
            return ReadKeyColumn(~place).IsNull;
        Locate(place, out uint type);
        return type == CompactRecordEncoding.Null;
    }

    /// <summary>Decodes column <paramref name="ordinal"/>; strings and byte arrays are allocated.</summary>
    public Value Read(int ordinal)
    {
        if (_layout.IsCompact)
            return ReadCompact(ordinal);
        if (IsNull(ordinal))
            return Value.Null;
        int slot = _header + _layout.SlotOffsets[ordinal];
        return _layout.Types[ordinal] switch
        {
            ColumnType.Int64 => Value.FromInt64(BinaryPrimitives.ReadInt64LittleEndian(_record[slot..])),
            ColumnType.DateTime => Value.FromDateTimeTicks(CheckTicks(BinaryPrimitives.ReadInt64LittleEndian(_record[slot..]), _filePath)),
            ColumnType.Double => Value.FromDouble(BinaryPrimitives.ReadDoubleLittleEndian(_record[slot..])),
            ColumnType.Boolean => Value.FromBoolean(ReadBoolean(_record[slot])),
            ColumnType.Decimal => Value.FromDecimal(ReadDecimal(_record.Slice(slot, 16), _filePath)),
            ColumnType.String => Value.FromString(Encoding.UTF8.GetString(Variable(slot))),
            ColumnType.Bytes => Value.FromBytes(Variable(slot).ToArray()),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>
    /// Appends the key encoding (<see cref="KeyEncoding"/>) of column <paramref name="ordinal"/> to <paramref name="key"/>:
    /// a String or Bytes column stored in the record from its bytes as they are, without a new string or array.
    /// </summary>
    public void AppendKeyEncoding(int ordinal, ByteBuilder key, KeyFormat format)
    {
        if (!RecordLayout.IsVariable(_layout.Types[ordinal]) || (_layout.IsCompact && _layout.Places[ordinal] < 0))
            KeyEncoding.Append(key, Read(ordinal), format);
        else if (TryReadVariable(ordinal, out ReadOnlySpan<byte> bytes))
            KeyEncoding.AppendVariable(key, bytes);
        else
            KeyEncoding.Append(key, Value.Null, format);
    }

    /// <summary>
    /// The raw bytes of String or Bytes column <paramref name="ordinal"/> (UTF-8 for strings) without allocating;
    /// false when it is null. A key column of a compact record is not here: read it with <see cref="Read"/>.
    /// </summary>
    public bool TryReadVariable(int ordinal, out ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(RecordLayout.IsVariable(_layout.Types[ordinal]));
        bytes = default;
        if (!_layout.IsCompact)
        {
            if (IsNull(ordinal))
                return false;
            bytes = Variable(_header + _layout.SlotOffsets[ordinal]);
            return true;
        }
        int place = _layout.Places[ordinal];
        Debug.Assert(place >= 0, "key columns are decoded from the key");
        if (place >= _count)
            return false;
        bytes = Locate(place, out uint type);
        return type != CompactRecordEncoding.Null;
    }

    /// <summary>
    /// Throws <see cref="CorruptDatabaseException"/> when a compact record holds bytes after its last stored column
    /// (<see cref="Verify"/> finds the same), after a column-by-column read. Row decodes no longer read this way
    /// (<see cref="RecordProjection"/> checks the end in its own walk); its tests use this read as the reference.
    /// A walk of the serial types not yet read; no column is decoded.
    /// </summary>
    public void CheckEnd()
    {
        if (!_layout.IsCompact)
            return;
        int lastLength = _count == 0 ? 0 : Locate(_count - 1, out _).Length; // moves the walk to the last column
        if (_walkBody + lastLength != _record.Length)
            ThrowHelper.ThrowCorrupt(_filePath, "a record has bytes after its last column");
    }

    /// <summary>Checks every column of the record (tests and the integrity checker use it).</summary>
    public void Verify()
    {
        if (_layout.IsCompact)
        {
            VerifyCompact();
            return;
        }
        for (int i = 0; i < _layout.ColumnCount; i++)
            Read(i);
    }

    private Value ReadCompact(int ordinal)
    {
        int place = _layout.Places[ordinal];
        if (place < 0)
            return ReadKeyColumn(~place);
        if (place >= _count)
            return Value.Null;
        ReadOnlySpan<byte> body = Locate(place, out uint type);
        return DecodeCompactBody(_layout.Types[ordinal], type, body, _filePath);
    }

    /// <summary>
    /// Decodes the <paramref name="body"/> of a compact record's column of <paramref name="columnType"/>, whose serial
    /// type <paramref name="type"/> was checked valid for it; strings and byte arrays are allocated.
    /// </summary>
    internal static Value DecodeCompactBody(ColumnType columnType, uint type, ReadOnlySpan<byte> body, string filePath)
    {
        if (type == CompactRecordEncoding.Null)
            return Value.Null;
        return columnType switch
        {
            ColumnType.Int64 => Value.FromInt64(CompactRecordEncoding.ReadInteger(body, type)),
            ColumnType.DateTime => Value.FromDateTimeTicks(CheckTicks(CompactRecordEncoding.ReadInteger(body, type), filePath)),
            ColumnType.Double => Value.FromDouble(BinaryPrimitives.ReadDoubleLittleEndian(body)),
            ColumnType.Boolean => Value.FromBoolean(type == CompactRecordEncoding.One),
            ColumnType.Decimal => Value.FromDecimal(ReadDecimal(body, filePath)),
            ColumnType.String => Value.FromString(Encoding.UTF8.GetString(body)),
            ColumnType.Bytes => Value.FromBytes(body.ToArray()),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>The body of stored column <paramref name="index"/> (below the record's count) and its serial type, checked against its column's type.</summary>
    private ReadOnlySpan<byte> Locate(int index, out uint type)
    {
        if (index >= _count)
        {
            type = CompactRecordEncoding.Null;
            return default;
        }
        if (index < _walkIndex)
        {
            _walkIndex = 0;
            _walkType = _header;
            _walkBody = SkipTypes(_record, _header, _count, _filePath);
        }
        while (true)
        {
            int typeOffset = _walkType;
            CompactRecordEncoding.TryReadVarint(_record, ref typeOffset, out type); // checked by SkipTypes
            long length = CompactRecordEncoding.BodyLength(type);
            int ordinal = _layout.StoredOrdinals[_walkIndex];
            if (length < 0 || !CompactRecordEncoding.IsValidFor(_layout.Types[ordinal], type) || _walkBody + length > _record.Length)
                ThrowHelper.ThrowCorrupt(_filePath, "a record's column has a serial type its column cannot have, or runs past the record");
            if (_walkIndex == index)
                return _record.Slice(_walkBody, (int)length);
            _walkIndex++;
            _walkType = typeOffset;
            _walkBody += (int)length;
        }
    }

    /// <summary>Decodes the key column at <paramref name="position"/> of the row's key.</summary>
    private readonly Value ReadKeyColumn(int position)
    {
        if (_key.IsEmpty)
            ThrowHelper.ThrowInvalidOperation("A key column of a compact record is read from the row's key; none was given.");
        return DecodeKeyColumn(_key, _layout, position, _filePath);
    }

    /// <summary>Decodes the key column at <paramref name="position"/> of <paramref name="key"/>, a row's key in <paramref name="layout"/>'s table.</summary>
    internal static Value DecodeKeyColumn(ReadOnlySpan<byte> key, RecordLayout layout, int position, string filePath)
    {
        int offset = 0;
        Value value = default;
        for (int k = 0; k <= position; k++)
            value = KeyEncoding.Decode(key, ref offset, layout.KeyTypes[k], layout.KeyFormat, filePath);
        return value;
    }

    private void VerifyCompact()
    {
        int body = _walkBody;
        int at = _header;
        for (int i = 0; i < _count; i++)
        {
            CompactRecordEncoding.TryReadVarint(_record, ref at, out uint type);
            ColumnType columnType = _layout.Types[_layout.StoredOrdinals[i]];
            long length = CompactRecordEncoding.BodyLength(type);
            if (length < 0 || !CompactRecordEncoding.IsValidFor(columnType, type) || body + length > _record.Length)
                ThrowHelper.ThrowCorrupt(_filePath, "a record's column has a serial type its column cannot have, or runs past the record");
            ReadOnlySpan<byte> bytes = _record.Slice(body, (int)length);
            if (columnType == ColumnType.DateTime && type != CompactRecordEncoding.Null)
                CheckTicks(CompactRecordEncoding.ReadInteger(bytes, type), _filePath);
            if (columnType == ColumnType.Decimal && type != CompactRecordEncoding.Null)
                ReadDecimal(bytes, _filePath);
            body += (int)length;
        }
        if (body != _record.Length)
            ThrowHelper.ThrowCorrupt(_filePath, "a record has bytes after its last column");
    }

    /// <summary>Walks <paramref name="count"/> serial types from <paramref name="offset"/>; returns where the bodies start.</summary>
    internal static int SkipTypes(ReadOnlySpan<byte> record, int offset, int count, string filePath)
    {
        for (int i = 0; i < count; i++)
        {
            if (!CompactRecordEncoding.TryReadVarint(record, ref offset, out _))
                ThrowHelper.ThrowCorrupt(filePath, "a record's header is cut short or holds an overlong varint");
        }
        return offset;
    }

    /// <summary>The raw bytes of a fixed-slot String or Bytes column whose slot is at <paramref name="slot"/>.</summary>
    private readonly ReadOnlySpan<byte> Variable(int slot)
    {
        uint start = BinaryPrimitives.ReadUInt32LittleEndian(_record[slot..]);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_record[(slot + 4)..]);
        int fixedEnd = _header + _layout.SlotOffsets[_count];
        if (start < fixedEnd || start + (ulong)length > (ulong)_record.Length)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's variable-length field lies outside the record");
        return _record.Slice((int)start, (int)length);
    }

    private static long CheckTicks(long ticks, string filePath)
    {
        if ((ulong)ticks > (ulong)DateTime.MaxValue.Ticks)
            ThrowHelper.ThrowCorrupt(filePath, "a record's DateTime is out of range");
        return ticks;
    }

    private readonly bool ReadBoolean(byte b)
    {
        if (b > 1)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's Boolean is neither 0 nor 1");
        return b == 1;
    }

    private static decimal ReadDecimal(ReadOnlySpan<byte> bytes, string filePath)
    {
        int flags = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if ((flags & 0x7F00FFFF) != 0 || ((flags >> 16) & 0xFF) > 28)
            ThrowHelper.ThrowCorrupt(filePath, "a record's Decimal has invalid flags");
        return new decimal(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            flags < 0,
            (byte)((flags >> 16) & 0xFF));
    }
}
