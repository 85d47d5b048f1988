using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace PageDb.Records;

/// <summary>
/// Reads single columns of an encoded record (layout in <see cref="RecordEncoding"/>) without decoding the rest;
/// every read checks the bytes it touches and reports a malformed record as corruption.
/// </summary>
internal readonly ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _record;
    private readonly RecordLayout _layout;
    private readonly string _filePath;
    private readonly int _count;
    private readonly int _header;

    public RecordReader(ReadOnlySpan<byte> record, RecordLayout layout, string filePath)
    {
        _record = record;
        _layout = layout;
        _filePath = filePath;
        if (record.Length < RecordEncoding.BitmapOffset)
            ThrowHelper.ThrowCorrupt(filePath, "a record is shorter than its header");
        _count = BinaryPrimitives.ReadUInt16LittleEndian(record);
        _header = RecordLayout.HeaderSize(_count);
        if (_count > layout.ColumnCount || record.Length < _header + layout.SlotOffsets[_count])
            ThrowHelper.ThrowCorrupt(filePath, "a record's column count does not fit its schema or its length");
    }

    /// <summary>True when column <paramref name="ordinal"/> is null (or past the record's column count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsNull(int ordinal) =>
        ordinal >= _count || (_record[RecordEncoding.BitmapOffset + ordinal / 8] & (1 << (ordinal % 8))) != 0;

    /// <summary>Decodes column <paramref name="ordinal"/>; strings and byte arrays are allocated.</summary>
    public Value Read(int ordinal)
    {
        if (IsNull(ordinal))
            return Value.Null;
        int slot = _header + _layout.SlotOffsets[ordinal];
        return _layout.Types[ordinal] switch
        {
            ColumnType.Int64 => Value.FromInt64(BinaryPrimitives.ReadInt64LittleEndian(_record[slot..])),
            ColumnType.DateTime => Value.FromDateTimeTicks(ReadTicks(slot)),
            ColumnType.Double => Value.FromDouble(BinaryPrimitives.ReadDoubleLittleEndian(_record[slot..])),
            ColumnType.Boolean => Value.FromBoolean(ReadBoolean(slot)),
            ColumnType.Decimal => Value.FromDecimal(ReadDecimal(slot)),
            ColumnType.String => Value.FromString(Encoding.UTF8.GetString(Variable(slot))),
            ColumnType.Bytes => Value.FromBytes(Variable(slot).ToArray()),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>The raw bytes of a String or Bytes column (UTF-8 for strings), without allocating.</summary>
    public ReadOnlySpan<byte> Variable(int slot)
    {
        uint start = BinaryPrimitives.ReadUInt32LittleEndian(_record[slot..]);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_record[(slot + 4)..]);
        int fixedEnd = _header + _layout.SlotOffsets[_count];
        if (start < fixedEnd || start + (ulong)length > (ulong)_record.Length)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's variable-length field lies outside the record");
        return _record.Slice((int)start, (int)length);
    }

    /// <summary>Checks every column of the record (tests and the integrity checker use it).</summary>
    public void Verify()
    {
        for (int i = 0; i < _layout.ColumnCount; i++)
            Read(i);
    }

    private long ReadTicks(int slot)
    {
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(_record[slot..]);
        if ((ulong)ticks > (ulong)DateTime.MaxValue.Ticks)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's DateTime is out of range");
        return ticks;
    }

    private bool ReadBoolean(int slot)
    {
        byte b = _record[slot];
        if (b > 1)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's Boolean is neither 0 nor 1");
        return b == 1;
    }

    private decimal ReadDecimal(int slot)
    {
        ReadOnlySpan<byte> bytes = _record.Slice(slot, 16);
        int flags = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if ((flags & 0x7F00FFFF) != 0 || ((flags >> 16) & 0xFF) > 28)
            ThrowHelper.ThrowCorrupt(_filePath, "a record's Decimal has invalid flags");
        return new decimal(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            flags < 0,
            (byte)((flags >> 16) & 0xFF));
    }
}
