using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace PageDb.Records;

/// <summary>
/// One typed value, or null, without boxing: numbers, booleans and ticks live in <see cref="Bits"/>, decimals in
/// <see cref="Bits"/> (low and middle 32 bits) and two more ints (high bits, flags), strings and byte arrays in
/// <see cref="Reference"/>. The currency of rows, records and expressions: 32 bytes, so a row's array stays small.
/// </summary>
internal readonly struct Value : IEquatable<Value>
{
    private readonly int _decimalHigh;
    private readonly int _decimalFlags;

    private Value(ColumnType type, long bits, object? reference, int decimalHigh = 0, int decimalFlags = 0)
    {
        Type = type;
        Bits = bits;
        Reference = reference;
        _decimalHigh = decimalHigh;
        _decimalFlags = decimalFlags;
    }

    /// <summary>The value's type; meaningless when <see cref="IsNull"/>.</summary>
    public ColumnType Type { get; }

    /// <summary>True for the null value (Type is 0).</summary>
    public bool IsNull => Type == 0;

    /// <summary>The 64 bits of an Int64, Double (IEEE bits), Boolean (0/1) or DateTime (ticks); a Decimal's low 64 bits.</summary>
    public long Bits { get; }

    /// <summary>The string or byte array.</summary>
    public object? Reference { get; }

    public static Value Null => default;

    public static Value FromInt64(long v) => new(ColumnType.Int64, v, null);

    public static Value FromDouble(double v) => new(ColumnType.Double, BitConverterless(v), null);

    public static Value FromBoolean(bool v) => new(ColumnType.Boolean, v ? 1 : 0, null);

    public static Value FromString(string v) => new(ColumnType.String, 0, v);

    public static Value FromBytes(byte[] v) => new(ColumnType.Bytes, 0, v);

    public static Value FromDateTime(DateTime v) => new(ColumnType.DateTime, v.Ticks, null);

    public static Value FromDateTimeTicks(long ticks) => new(ColumnType.DateTime, ticks, null);

    public static Value FromDecimal(decimal v)
    {
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(v, parts);
        return new(ColumnType.Decimal, (uint)parts[0] | ((long)parts[1] << 32), null, parts[2], parts[3]);
    }

    public long AsInt64 => Bits;

    public double AsDouble => Unsafe.BitCast<long, double>(Bits);

    public bool AsBoolean => Bits != 0;

    public string AsString => (string)Reference!;

    public byte[] AsBytes => (byte[])Reference!;

    public DateTime AsDateTime => new(Bits, DateTimeKind.Utc);

    public decimal AsDecimal => new((int)Bits, (int)(Bits >> 32), _decimalHigh, _decimalFlags < 0, (byte)(_decimalFlags >> 16));

    /// <summary>
    /// Converts a caller's object: null, long, int (widened to Int64), double, bool, string, byte[], DateTime, decimal.
    /// </summary>
    /// <exception cref="ArgumentException">Any other type.</exception>
    public static Value FromObject(object? value) => value switch
    {
        null => Null,
        long l => FromInt64(l),
        int i => FromInt64(i),
        double d => FromDouble(d),
        bool b => FromBoolean(b),
        string s => FromString(s),
        byte[] bytes => FromBytes(bytes),
        DateTime t => FromDateTime(t),
        decimal m => FromDecimal(m),
        _ => throw new ArgumentException(
            $"A value of type {value.GetType().Name} cannot be stored; use long, double, bool, string, byte[], DateTime or decimal.",
            nameof(value)),
    };

    /// <summary>The value as an object (boxed), or null.</summary>
    public object? ToObject() => Type switch
    {
        0 => null,
        ColumnType.Int64 => AsInt64,
        ColumnType.Double => AsDouble,
        ColumnType.Boolean => AsBoolean,
        ColumnType.String or ColumnType.Bytes => Reference,
        ColumnType.DateTime => AsDateTime,
        ColumnType.Decimal => AsDecimal,
        _ => throw new UnreachableException(),
    };

    /// <summary>
    /// Total order used by keys, sorts and comparisons: null first; numbers (Int64, Double, Decimal) compare by value
    /// with each other; otherwise values of one type by that type's order. Values of unrelated types order by type.
    /// </summary>
    public static int Compare(in Value a, in Value b)
    {
        if (a.IsNull || b.IsNull)
            return a.IsNull.CompareTo(b.IsNull) * -1;
        if (a.Type != b.Type)
            return CompareMixed(a, b);
        return a.Type switch
        {
            ColumnType.Int64 or ColumnType.DateTime => a.Bits.CompareTo(b.Bits),
            ColumnType.Double => a.AsDouble.CompareTo(b.AsDouble),
            ColumnType.Boolean => a.Bits.CompareTo(b.Bits),
            ColumnType.String => CompareStrings(a.AsString, b.AsString),
            ColumnType.Bytes => a.AsBytes.AsSpan().SequenceCompareTo(b.AsBytes),
            ColumnType.Decimal => a.AsDecimal.CompareTo(b.AsDecimal),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>Orders strings by Unicode code point, which is the order of their UTF-8 bytes.</summary>
    public static int CompareStrings(string a, string b)
    {
        int common = Math.Min(a.Length, b.Length);
        for (int i = 0; i < common; i++)
        {
            char x = a[i], y = b[i];
            if (x == y)
                continue;
            // Surrogates (U+D800-DFFF) encode code points above U+FFFF, so they order after every other BMP char.
            bool xs = char.IsSurrogate(x), ys = char.IsSurrogate(y);
            if (xs != ys)
                return xs ? 1 : -1;
            return x.CompareTo(y);
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>True when the type is one of the numeric types that compare and compute with each other.</summary>
    public static bool IsNumeric(ColumnType type) =>
        type is ColumnType.Int64 or ColumnType.Double or ColumnType.Decimal;

    public bool Equals(Value other) => Compare(this, other) == 0 && IsNull == other.IsNull;

    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    public override int GetHashCode() => Type switch
    {
        0 => 0,
        ColumnType.Int64 => AsInt64.GetHashCode(),
        // Numbers that compare equal must hash equal: an integral double or decimal hashes like its Int64.
        ColumnType.Double => HashNumber(AsDouble),
        ColumnType.Decimal => HashDecimal(AsDecimal),
        ColumnType.String => StringComparer.Ordinal.GetHashCode(AsString),
        ColumnType.Bytes => HashBytes(AsBytes),
        _ => Bits.GetHashCode(),
    };

    public override string ToString() => Type switch
    {
        0 => "null",
        ColumnType.String => $"'{AsString}'",
        ColumnType.Bytes => "0x" + Convert.ToHexString(AsBytes),
        ColumnType.DateTime => AsDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(ToObject(), System.Globalization.CultureInfo.InvariantCulture)!,
    };

    private static int CompareMixed(in Value a, in Value b)
    {
        if (IsNumeric(a.Type) && IsNumeric(b.Type))
        {
            if (a.Type == ColumnType.Decimal || b.Type == ColumnType.Decimal)
            {
                if (a.Type != ColumnType.Double && b.Type != ColumnType.Double)
                    return a.ToDecimal().CompareTo(b.ToDecimal());
            }
            return a.ToDouble().CompareTo(b.ToDouble());
        }
        return a.Type.CompareTo(b.Type);
    }

    /// <summary>A numeric value as a double.</summary>
    public double ToDouble() => Type switch
    {
        ColumnType.Int64 => AsInt64,
        ColumnType.Decimal => (double)AsDecimal,
        _ => AsDouble,
    };

    /// <summary>An Int64 or Decimal value as a decimal.</summary>
    public decimal ToDecimal() => Type == ColumnType.Int64 ? AsInt64 : AsDecimal;

    private static int HashDecimal(decimal d) =>
        decimal.Truncate(d) == d && Math.Abs(d) < 1e18m ? ((long)d).GetHashCode() : HashNumber((double)d);

    private static int HashNumber(double d)
    {
        if (double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 9e18)
            return ((long)d).GetHashCode();
        return d == 0 ? 0 : d.GetHashCode();
    }

    private static int HashBytes(byte[] bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    private static long BitConverterless(double v) => Unsafe.BitCast<double, long>(v);

    public static bool operator ==(Value left, Value right) => left.Equals(right);

    public static bool operator !=(Value left, Value right) => !left.Equals(right);
}
