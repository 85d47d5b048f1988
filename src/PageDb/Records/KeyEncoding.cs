using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace PageDb.Records;

/// <summary>
/// Order-preserving key encoding: for any two typed values (or tuples of values of the same column types), the
/// unsigned byte order of their encodings equals their value order, so B+tree keys compare with memcmp.
/// <code>
/// key       := column*                      a composite key is its columns' encodings concatenated
/// column    := 0x00                          null (sorts before every value)
///            | 0x01 body                     a value of the column's type
/// Int64     := 8 bytes big-endian of (v XOR 0x8000000000000000)       sign flipped: negatives first
/// DateTime  := as Int64, of the UTC ticks
/// Double    := 8 bytes big-endian of b' where b = IEEE bits after -0.0 -> 0.0 and any NaN -> 0xFFF8000000000000;
///              b' = ~b when the sign bit of b is set, else b XOR 0x8000000000000000   (NaN sorts first)
/// Boolean   := 0x00 false | 0x01 true
/// String    := UTF-8 bytes with each 0x00 written 0x00 0xFF, then the terminator 0x00 0x00
/// Bytes     := as String, of the raw bytes
/// Decimal   := 0x01                                     zero
///            | 0x02 (E+128) (d+1)* 0x00                positive: value = 0.d1d2d3... x 10^E, no trailing zero digit
///            | 0x00 (127-E) (254-d)* 0xFF              negative: the positive form's bytes complemented
/// </code>
/// With <see cref="KeyFormat.CompactIntegers"/> (tables of definition version 3) an Int64 or DateTime column is
/// instead one head byte and only its significant bytes; null stays 0x00, below every head:
/// <code>
/// v &gt;= 0   := (0x0A + n) then v's n low bytes big-endian, n = 0..8 the fewest that hold v (0 -> 0x0A, 1M -> 0D 0F 42 40)
/// v &lt; 0    := (0x09 - n) then v's n low bytes big-endian, n = 0..8 the fewest that hold ~v (-1 -> 0x09, -2 -> 08 FE)
/// </code>
/// Heads order by sign and magnitude and equal heads compare their bytes, so byte order is still value order; a head
/// above 0x12 or a non-minimal byte count is corrupt (every value has one encoding).
/// Invariants: (1) every column encoding is self-delimiting, so concatenation preserves tuple order;
/// (2) values equal by <see cref="Value.Compare"/> within one type encode to equal bytes (-0.0/0.0, NaNs, 1.0m/1.00m).
/// Strings order by Unicode code point; a lone surrogate is encoded as U+FFFD.
/// </summary>
internal static class KeyEncoding
{
    public const byte NullTag = 0x00;
    public const byte ValueTag = 0x01;
    private const long SignBit = long.MinValue;
    private const long CanonicalNaNBits = unchecked((long)0xFFF8000000000000);
    private const int MaxDecimalDigits = 29;
    private const byte CompactZeroHead = 0x0A;   // v >= 0 of n bytes: 0x0A + n
    private const byte CompactMinusOneHead = 0x09; // v < 0 of n bytes: 0x09 - n

    /// <summary>Appends the encoding of <paramref name="value"/> (typed as its column) in <paramref name="format"/> to <paramref name="key"/>.</summary>
    public static void Append(ByteBuilder key, in Value value, KeyFormat format)
    {
        if (value.IsNull)
        {
            key.Add(NullTag);
            return;
        }
        if (format == KeyFormat.CompactIntegers && value.Type is ColumnType.Int64 or ColumnType.DateTime)
        {
            AppendCompactInt64(key, value.Bits);
            return;
        }
        key.Add(ValueTag);
        switch (value.Type)
        {
            case ColumnType.Int64:
            case ColumnType.DateTime:
                AppendInt64(key, value.Bits);
                break;
            case ColumnType.Double:
                AppendInt64(key, OrderedDoubleBits(value.AsDouble));
                break;
            case ColumnType.Boolean:
                key.Add((byte)value.Bits);
                break;
            case ColumnType.String:
                AppendString(key, value.AsString);
                break;
            case ColumnType.Bytes:
                AppendEscaped(key, value.AsBytes);
                break;
            case ColumnType.Decimal:
                AppendDecimal(key, value.AsDecimal);
                break;
            default:
                throw new UnreachableException();
        }
    }

    /// <summary>Appends the encodings of <paramref name="source"/>'s columns <paramref name="ordinals"/>, in that order.</summary>
    public static void AppendColumns<T>(ByteBuilder key, T source, ReadOnlySpan<int> ordinals, KeyFormat format) where T : IValueSource
    {
        foreach (int ordinal in ordinals)
            Append(key, source.GetValue(ordinal), format);
    }

    /// <summary>
    /// Appends the encoding of a String or Bytes value from its bytes (UTF-8 for a string, as a record stores it):
    /// the same bytes as <see cref="Append"/> writes for the value, without the value.
    /// </summary>
    public static void AppendVariable(ByteBuilder key, ReadOnlySpan<byte> bytes)
    {
        key.Add(ValueTag);
        AppendEscaped(key, bytes);
    }

    /// <summary>The encoding of the Int64 row id (or one-column Int64 primary key), as a whole key.</summary>
    public static void AppendRowId(ByteBuilder key, long rowId, KeyFormat format) => Append(key, Value.FromInt64(rowId), format);

    /// <summary>Decodes one column of type <paramref name="type"/> in <paramref name="format"/> at <paramref name="offset"/>, advancing it.</summary>
    /// <exception cref="CorruptDatabaseException">The bytes are not a valid encoding.</exception>
    public static Value Decode(ReadOnlySpan<byte> key, ref int offset, ColumnType type, KeyFormat format, string filePath)
    {
        byte tag = Take(key, ref offset, 1, filePath)[0];
        if (tag == NullTag)
            return Value.Null;
        if (format == KeyFormat.CompactIntegers && type is ColumnType.Int64 or ColumnType.DateTime)
        {
            long integer = ReadCompactInt64(tag, key, ref offset, filePath);
            return type == ColumnType.Int64 ? Value.FromInt64(integer) : Value.FromDateTimeTicks(integer);
        }
        if (tag != ValueTag)
            ThrowHelper.ThrowCorrupt(filePath, "a key column has an unknown tag");
        return type switch
        {
            ColumnType.Int64 => Value.FromInt64(ReadInt64(key, ref offset, filePath)),
            ColumnType.DateTime => Value.FromDateTimeTicks(ReadInt64(key, ref offset, filePath)),
            ColumnType.Double => Value.FromDouble(DecodeDouble(ReadInt64(key, ref offset, filePath))),
            ColumnType.Boolean => Value.FromBoolean(Take(key, ref offset, 1, filePath)[0] != 0),
            ColumnType.String => Value.FromString(Encoding.UTF8.GetString(ReadEscaped(key, ref offset, filePath))),
            ColumnType.Bytes => Value.FromBytes(ReadEscaped(key, ref offset, filePath)),
            ColumnType.Decimal => Value.FromDecimal(DecodeDecimal(key, ref offset, filePath)),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>Maps a double's bits so that signed comparison of the result is the double order (see the layout).</summary>
    private static long OrderedDoubleBits(double v)
    {
        long bits = double.IsNaN(v) ? CanonicalNaNBits : v == 0 ? 0 : Unsafe.BitCast<double, long>(v);
        return bits < 0 ? ~bits ^ SignBit : bits;
    }

    private static double DecodeDouble(long ordered)
    {
        long bits = ordered < 0 ? ~(ordered ^ SignBit) : ordered;
        return Unsafe.BitCast<long, double>(bits);
    }

    private static void AppendInt64(ByteBuilder key, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(key.Reserve(8), value ^ SignBit);
        key.Advance(8);
    }

    private static long ReadInt64(ReadOnlySpan<byte> key, ref int offset, string filePath) =>
        BinaryPrimitives.ReadInt64BigEndian(Take(key, ref offset, 8, filePath)) ^ SignBit;

    private static void AppendCompactInt64(ByteBuilder key, long value)
    {
        bool negative = value < 0;
        int length = SignificantBytes(negative ? ~value : value);
        Span<byte> written = key.Reserve(1 + length);
        written[0] = negative ? (byte)(CompactMinusOneHead - length) : (byte)(CompactZeroHead + length);
        for (int i = length; i > 0; i--, value >>= 8)
            written[i] = (byte)value;
        key.Advance(1 + length);
    }

    /// <summary>The fewest bytes that hold <paramref name="magnitude"/> (non-negative): 0 for 0, up to 8.</summary>
    private static int SignificantBytes(long magnitude) => (64 - BitOperations.LeadingZeroCount((ulong)magnitude) + 7) / 8;

    private static long ReadCompactInt64(byte head, ReadOnlySpan<byte> key, ref int offset, string filePath)
    {
        if (head > CompactZeroHead + 8)
            ThrowHelper.ThrowCorrupt(filePath, "a key integer has an unknown head");
        bool negative = head <= CompactMinusOneHead;
        int length = negative ? CompactMinusOneHead - head : head - CompactZeroHead;
        ReadOnlySpan<byte> bytes = Take(key, ref offset, length, filePath);
        long value = negative ? -1 : 0;
        foreach (byte b in bytes)
            value = (value << 8) | b;
        if ((value < 0) != negative || SignificantBytes(negative ? ~value : value) != length)
            ThrowHelper.ThrowCorrupt(filePath, "a key integer is not in its shortest form");
        return value;
    }

    private static void AppendString(ByteBuilder key, string value)
    {
        int start = key.Length;
        int written = Encoding.UTF8.GetBytes(value, key.Reserve(Encoding.UTF8.GetMaxByteCount(value.Length)));
        key.Advance(written);
        EscapeInPlace(key, start, written);
    }

    private static void AppendEscaped(ByteBuilder key, ReadOnlySpan<byte> value)
    {
        int start = key.Length;
        value.CopyTo(key.Reserve(value.Length));
        key.Advance(value.Length);
        EscapeInPlace(key, start, value.Length);
    }

    /// <summary>Doubles every zero byte of the last <paramref name="length"/> bytes (0x00 -> 0x00 0xFF) and terminates them.</summary>
    private static void EscapeInPlace(ByteBuilder key, int start, int length)
    {
        int zeros = key.Written.Slice(start, length).Count((byte)0);
        key.Reserve(zeros + 2);
        key.Advance(zeros + 2);
        Span<byte> all = key.WrittenWritable;
        int write = start + length + zeros;
        all[write] = 0x00;
        all[write + 1] = 0x00;
        for (int read = start + length - 1; zeros > 0; read--)
        {
            if (all[read] == 0)
            {
                all[--write] = 0xFF;
                zeros--;
            }
            all[--write] = all[read];
        }
    }

    private static byte[] ReadEscaped(ReadOnlySpan<byte> key, ref int offset, string filePath)
    {
        var bytes = new List<byte>();
        while (true)
        {
            byte b = Take(key, ref offset, 1, filePath)[0];
            if (b != 0)
            {
                bytes.Add(b);
                continue;
            }
            byte next = Take(key, ref offset, 1, filePath)[0];
            if (next == 0x00)
                return [.. bytes];
            if (next != 0xFF)
                ThrowHelper.ThrowCorrupt(filePath, "a key string has a bad escape");
            bytes.Add(0);
        }
    }

    private static void AppendDecimal(ByteBuilder key, decimal value)
    {
        if (value == 0)
        {
            key.Add(0x01);
            return;
        }
        Span<byte> digits = stackalloc byte[MaxDecimalDigits];
        int count = Digits(value, digits, out int exponent);
        bool negative = value < 0;
        key.Add(negative ? (byte)0x00 : (byte)0x02);
        key.Add(Complement((byte)(exponent + 128), negative));
        foreach (byte digit in digits[..count])
            key.Add(Complement((byte)(digit + 1), negative));
        key.Add(negative ? (byte)0xFF : (byte)0x00);
    }

    /// <summary>The significant decimal digits of |value| (no trailing zeros) and E with |value| = 0.digits x 10^E.</summary>
    private static int Digits(decimal value, Span<byte> digits, out int exponent)
    {
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(value, parts);
        var mantissa = new UInt128((ulong)(uint)parts[2], ((ulong)(uint)parts[1] << 32) | (uint)parts[0]);
        int scale = (parts[3] >> 16) & 0xFF;
        while (mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }
        int count = 0;
        for (UInt128 rest = mantissa; rest != 0; rest /= 10)
            digits[count++] = (byte)(rest % 10);
        digits[..count].Reverse();
        exponent = count - scale;
        return count;
    }

    private static decimal DecodeDecimal(ReadOnlySpan<byte> key, ref int offset, string filePath)
    {
        byte sign = Take(key, ref offset, 1, filePath)[0];
        if (sign == 0x01)
            return 0m;
        bool negative = sign == 0x00;
        if (!negative && sign != 0x02)
            ThrowHelper.ThrowCorrupt(filePath, "a key decimal has an unknown sign");
        int exponent = Complement(Take(key, ref offset, 1, filePath)[0], negative) - 128;
        UInt128 mantissa = 0;
        int count = 0;
        for (byte b = Complement(Take(key, ref offset, 1, filePath)[0], negative); b != 0;
             b = Complement(Take(key, ref offset, 1, filePath)[0], negative))
        {
            if (b > 10 || ++count > MaxDecimalDigits)
                ThrowHelper.ThrowCorrupt(filePath, "a key decimal has a bad digit");
            mantissa = mantissa * 10 + (uint)(b - 1);
        }
        int scale = count - exponent;
        for (; scale < 0; scale++)
            mantissa *= 10;
        if (scale > 28 || mantissa >> 96 != 0)
            ThrowHelper.ThrowCorrupt(filePath, "a key decimal is out of range");
        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative, (byte)scale);
    }

    private static byte Complement(byte b, bool negative) => negative ? (byte)(255 - b) : b;

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> key, ref int offset, int size, string filePath)
    {
        if (offset + size > key.Length)
            ThrowHelper.ThrowCorrupt(filePath, "a key ends inside a column");
        ReadOnlySpan<byte> taken = key.Slice(offset, size);
        offset += size;
        return taken;
    }
}
