using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace PageDb.Records;

/// <summary>
/// The fixed-slot record (<see cref="RecordFormat.FixedSlots"/>, table definition version 1), which tables created
/// by earlier builds keep; new tables use <see cref="CompactRecordEncoding"/>. The value of the row's entry in the
/// table's B+tree. Little-endian.
/// <code>
/// offset            size           field
/// 0                 2              column count n (u16)
/// 2                 ceil(n/8)      null bitmap: bit (i mod 8) of byte (i / 8) set = column i is null
/// H = 2+ceil(n/8)   sum of slots   one fixed-size slot per column, in column order:
///                                    Int64, DateTime (ticks)  8  i64
///                                    Double                   8  IEEE bits (u64)
///                                    Boolean                  1  0 or 1
///                                    Decimal                 16  lo, mid, hi, flags (4 x i32, as decimal.GetBits)
///                                    String, Bytes            8  u32 offset from the record's start, u32 length
/// after the slots   rest           variable-length bytes (UTF-8 strings, raw bytes) in column order
/// </code>
/// A null column's slot is zero and its variable part empty. Since every slot's place depends only on the schema,
/// a scan reads one column in O(1) without decoding the others.
/// Invariants: (1) n is at most the schema's column count (columns past n read as null);
/// (2) every variable part lies inside the record, after the slots; (3) Booleans are 0 or 1 and decimal flags are
/// valid. Records come from the file, so the reader checks (1)-(3) always and reports corruption.
/// </summary>
internal static class RecordEncoding
{
    public const int ColumnCountOffset = 0; // 0-1 u16
    public const int BitmapOffset = 2;      // 2-... null bitmap

    /// <summary>Encodes <paramref name="row"/> (already validated against the layout) into <paramref name="output"/>.</summary>
    public static void Encode<T>(T row, RecordLayout layout, ByteBuilder output) where T : IValueSource
    {
        int count = layout.ColumnCount;
        int header = RecordLayout.HeaderSize(count);
        int fixedEnd = header + layout.SlotOffsets[count];
        output.Clear();
        Span<byte> fixedPart = output.Reserve(fixedEnd);
        fixedPart.Clear();
        output.Advance(fixedEnd);
        BinaryPrimitives.WriteUInt16LittleEndian(output.WrittenWritable[ColumnCountOffset..], (ushort)count);
        for (int i = 0; i < count; i++)
            WriteColumn(output, header + layout.SlotOffsets[i], i, row.GetValue(i));
    }

    private static void WriteColumn(ByteBuilder output, int slot, int ordinal, in Value value)
    {
        if (value.IsNull)
        {
            output.WrittenWritable[BitmapOffset + ordinal / 8] |= (byte)(1 << (ordinal % 8));
            return;
        }
        switch (value.Type)
        {
            case ColumnType.Int64:
            case ColumnType.DateTime:
            case ColumnType.Double:
                BinaryPrimitives.WriteInt64LittleEndian(output.WrittenWritable[slot..], value.Bits);
                break;
            case ColumnType.Boolean:
                output.WrittenWritable[slot] = (byte)value.Bits;
                break;
            case ColumnType.Decimal:
                WriteDecimal(output.WrittenWritable.Slice(slot, 16), value.AsDecimal);
                break;
            case ColumnType.String:
                WriteVariable(output, slot, value.AsString);
                break;
            case ColumnType.Bytes:
                WriteVariable(output, slot, value.AsBytes);
                break;
            default:
                throw new UnreachableException();
        }
    }

    /// <summary>Writes <paramref name="value"/> as four little-endian i32 in the order of <see cref="decimal.GetBits(decimal)"/>.</summary>
    public static void WriteDecimal(Span<byte> slot, decimal value)
    {
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(value, parts);
        for (int i = 0; i < 4; i++)
            BinaryPrimitives.WriteInt32LittleEndian(slot[(i * 4)..], parts[i]);
    }

    private static void WriteVariable(ByteBuilder output, int slot, string value)
    {
        int start = output.Length;
        int written = Encoding.UTF8.GetBytes(value, output.Reserve(Encoding.UTF8.GetMaxByteCount(value.Length)));
        output.Advance(written);
        WriteVariableSlot(output, slot, start, written);
    }

    private static void WriteVariable(ByteBuilder output, int slot, ReadOnlySpan<byte> value)
    {
        int start = output.Length;
        value.CopyTo(output.Reserve(value.Length));
        output.Advance(value.Length);
        WriteVariableSlot(output, slot, start, value.Length);
    }

    private static void WriteVariableSlot(ByteBuilder output, int slot, int start, int length)
    {
        Span<byte> bytes = output.WrittenWritable;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[slot..], (uint)start);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[(slot + 4)..], (uint)length);
    }
}
