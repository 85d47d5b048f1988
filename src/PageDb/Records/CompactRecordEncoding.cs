using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace PageDb.Records;

/// <summary>
/// The compact record (<see cref="RecordFormat.Compact"/>, table definition version 2): the value of a row's entry
/// in its table's B+tree, modelled on SQLite's record format. Little-endian.
/// <code>
/// field           size            meaning
/// n               varint          the number of stored columns the record holds (columns past n read as null)
/// serial types    n varints       one per stored column, in column order (table below)
/// bodies          sum of sizes    each stored column's bytes, in the same order
/// </code>
/// The stored columns are the table's columns in order, except primary-key columns whose key encoding gives back the
/// exact value (every type but Double and Decimal, see <see cref="RecordLayout.IsExactInKey"/>): those are read from
/// the B+tree key, which already holds them. A table keyed by a row id stores every column.
/// <code>
/// serial type   body bytes   value                                         valid for
/// 0             0            null                                          any column
/// 1             0            the integer 0 (false)                         Int64, DateTime, Boolean
/// 2             0            the integer 1 (true)                          Int64, DateTime, Boolean
/// 3, 4, 5, 6    1, 2, 4, 8   a signed little-endian integer                Int64, DateTime (ticks)
/// 7             8            IEEE 754 bits                                 Double
/// 8             16           lo, mid, hi, flags (4 x i32, decimal.GetBits) Decimal
/// 12 + L        L            UTF-8 text (String) or raw bytes (Bytes)      String, Bytes
/// </code>
/// A varint is unsigned LEB128: 7 bits per byte, low groups first, the high bit set on every byte but the last; at
/// most 5 bytes. The bench's row (a 20-character name, a double, a 100-character text, Int64 key) takes 4 header
/// bytes and 128 body bytes, against 155 in the fixed-slot format.
/// Invariants: (1) n is at most the number of stored columns of the schema; (2) each serial type is valid for its
/// column's type; (3) the bodies end exactly at the record's end; (4) Booleans come as serial type 1 or 2, DateTimes
/// lie in 0..DateTime.MaxValue.Ticks and decimal flags are valid. Records come from the file: the reader
/// (<see cref="RecordReader"/>) checks (1)-(4) for what it reads, and <see cref="RecordReader.Verify"/> checks all.
/// </summary>
internal static class CompactRecordEncoding
{
    public const int Null = 0;
    public const int Zero = 1;
    public const int One = 2;
    public const int Int8 = 3;
    public const int Int16 = 4;
    public const int Int32 = 5;
    public const int Int64 = 6;
    public const int Float64 = 7;
    public const int Decimal128 = 8;
    public const int FirstVariable = 12;

    /// <summary>The longest varint: a u32 in 5 groups of 7 bits.</summary>
    public const int MaxVarintLength = 5;

    private const int StackTypes = 64;

    /// <summary>The body length of each serial type below <see cref="FirstVariable"/>; -1 for the reserved 9-11.</summary>
    private static ReadOnlySpan<sbyte> FixedBodyLengths => [0, 0, 0, 1, 2, 4, 8, 8, 16, -1, -1, -1];

    /// <summary>Encodes <paramref name="row"/> (already validated against the schema) into <paramref name="output"/>.</summary>
    public static void Encode<T>(T row, RecordLayout layout, ByteBuilder output) where T : IValueSource
    {
        Debug.Assert(layout.IsCompact);
        int[] stored = layout.StoredOrdinals;
        Span<int> types = stored.Length <= StackTypes ? stackalloc int[StackTypes] : new int[stored.Length];
        // The bodies go first, after room for the largest header; the header is then written and the bodies moved down to it.
        int headerRoom = MaxVarintLength * (stored.Length + 1);
        output.Clear();
        output.Reserve(headerRoom);
        output.Advance(headerRoom);
        for (int i = 0; i < stored.Length; i++)
            types[i] = WriteBody(output, row.GetValue(stored[i]));
        int header = VarintLength((uint)stored.Length);
        for (int i = 0; i < stored.Length; i++)
            header += VarintLength((uint)types[i]);
        Span<byte> bytes = output.WrittenWritable;
        int at = WriteVarint(bytes, (uint)stored.Length);
        for (int i = 0; i < stored.Length; i++)
            at += WriteVarint(bytes[at..], (uint)types[i]);
        Debug.Assert(at == header);
        int bodies = bytes.Length - headerRoom;
        bytes.Slice(headerRoom, bodies).CopyTo(bytes[header..]);
        output.Truncate(header + bodies);
    }

    /// <summary>The number of body bytes of <paramref name="serialType"/>; -1 for a reserved type.</summary>
    public static long BodyLength(uint serialType) =>
        serialType >= FirstVariable ? serialType - FirstVariable : FixedBodyLengths[(int)serialType];

    /// <summary>True when a column of <paramref name="type"/> may have <paramref name="serialType"/> (invariant 2).</summary>
    public static bool IsValidFor(ColumnType type, uint serialType) => serialType == Null || type switch
    {
        ColumnType.Int64 or ColumnType.DateTime => serialType is >= Zero and <= Int64,
        ColumnType.Boolean => serialType is Zero or One,
        ColumnType.Double => serialType == Float64,
        ColumnType.Decimal => serialType == Decimal128,
        ColumnType.String or ColumnType.Bytes => serialType >= FirstVariable,
        _ => false,
    };

    /// <summary>
    /// The serial types valid for <paramref name="type"/> as a mask of <see cref="TypeBit"/>s: the check of
    /// <see cref="IsValidFor"/> as one AND, for a decode that checks every column of every row.
    /// </summary>
    public static uint ValidTypes(ColumnType type)
    {
        uint mask = 0;
        for (uint serialType = 0; serialType <= FirstVariable; serialType++)
        {
            if (IsValidFor(type, serialType))
                mask |= TypeBit(serialType);
        }
        return mask;
    }

    /// <summary>The bit of <paramref name="serialType"/> in a <see cref="ValidTypes"/> mask (one bit for all the variable-length types).</summary>
    public static uint TypeBit(uint serialType) => 1u << (int)Math.Min(serialType, FirstVariable);

    /// <summary>Reads a varint at <paramref name="offset"/>, advancing it; false when it runs past the end or is too long.</summary>
    public static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int offset, out uint value)
    {
        if ((uint)offset < (uint)bytes.Length && bytes[offset] < 0x80)
        {
            value = bytes[offset++]; // one byte: the common case (small counts, short strings, the fixed types)
            return true;
        }
        value = 0;
        for (int shift = 0, at = offset; at < bytes.Length && shift < 7 * MaxVarintLength; shift += 7, at++)
        {
            byte b = bytes[at];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                offset = at + 1;
                return shift < 28 || b < 0x10;
            }
        }
        return false;
    }

    /// <summary>The integer body of <paramref name="serialType"/> (1 to 6), sign-extended.</summary>
    public static long ReadInteger(ReadOnlySpan<byte> body, uint serialType) => serialType switch
    {
        Zero => 0,
        One => 1,
        Int8 => (sbyte)body[0],
        Int16 => BinaryPrimitives.ReadInt16LittleEndian(body),
        Int32 => BinaryPrimitives.ReadInt32LittleEndian(body),
        _ => BinaryPrimitives.ReadInt64LittleEndian(body),
    };

    private static int WriteBody(ByteBuilder output, in Value value)
    {
        if (value.IsNull)
            return Null;
        switch (value.Type)
        {
            case ColumnType.Int64:
            case ColumnType.DateTime:
            case ColumnType.Boolean:
                return WriteInteger(output, value.Bits);
            case ColumnType.Double:
                BinaryPrimitives.WriteInt64LittleEndian(output.Reserve(8), value.Bits);
                output.Advance(8);
                return Float64;
            case ColumnType.Decimal:
                RecordEncoding.WriteDecimal(output.Reserve(16), value.AsDecimal);
                output.Advance(16);
                return Decimal128;
            case ColumnType.String:
                return WriteText(output, value.AsString);
            case ColumnType.Bytes:
                value.AsBytes.CopyTo(output.Reserve(value.AsBytes.Length));
                output.Advance(value.AsBytes.Length);
                return VariableType(value.AsBytes.Length);
            default:
                throw new UnreachableException();
        }
    }

    private static int WriteInteger(ByteBuilder output, long v)
    {
        if (v is 0 or 1)
            return v == 0 ? Zero : One;
        if (v == (sbyte)v)
        {
            output.Add((byte)v);
            return Int8;
        }
        if (v == (short)v)
        {
            BinaryPrimitives.WriteInt16LittleEndian(output.Reserve(2), (short)v);
            output.Advance(2);
            return Int16;
        }
        if (v == (int)v)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.Reserve(4), (int)v);
            output.Advance(4);
            return Int32;
        }
        BinaryPrimitives.WriteInt64LittleEndian(output.Reserve(8), v);
        output.Advance(8);
        return Int64;
    }

    private static int WriteText(ByteBuilder output, string value)
    {
        int written = Encoding.UTF8.GetBytes(value, output.Reserve(Encoding.UTF8.GetMaxByteCount(value.Length)));
        output.Advance(written);
        return VariableType(written);
    }

    private static int VariableType(int length) => FirstVariable + length;

    private static int VarintLength(uint value) => value < 1u << 7 ? 1 : value < 1u << 14 ? 2 : value < 1u << 21 ? 3 : value < 1u << 28 ? 4 : 5;

    private static int WriteVarint(Span<byte> destination, uint value)
    {
        int at = 0;
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[at++] = (byte)value;
        return at;
    }
}
