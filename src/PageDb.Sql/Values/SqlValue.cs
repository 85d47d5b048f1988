using System.Globalization;
using System.Text;

namespace PageDb.Sql.Values;

/// <summary>
/// One SQL value with SQLite's dynamic typing: NULL, an integer, a real, text or a blob. Conversions between them
/// follow SQLite (<c>sqlite3_value_int64</c>, <c>_double</c>, <c>_text</c>), so the results the sqllogictest corpus
/// expects come out the same.
/// </summary>
public readonly struct SqlValue : IEquatable<SqlValue>
{
    private readonly long _integer;
    private readonly double _real;
    private readonly object? _reference;

    private SqlValue(SqlValueKind kind, long integer, double real, object? reference)
    {
        Kind = kind;
        _integer = integer;
        _real = real;
        _reference = reference;
    }

    /// <summary>NULL.</summary>
    public static SqlValue Null => default;

    /// <summary>The storage class.</summary>
    public SqlValueKind Kind { get; }

    /// <summary>True for NULL.</summary>
    public bool IsNull => Kind == SqlValueKind.Null;

    /// <summary>True for an integer or a real.</summary>
    public bool IsNumeric => Kind is SqlValueKind.Integer or SqlValueKind.Real;

    /// <summary>An integer.</summary>
    public static SqlValue FromInteger(long value) => new(SqlValueKind.Integer, value, 0, null);

    /// <summary>A real; NaN becomes NULL, as in SQLite.</summary>
    public static SqlValue FromReal(double value) => double.IsNaN(value) ? Null : new(SqlValueKind.Real, 0, value, null);

    /// <summary>Text (NULL for a null string).</summary>
    public static SqlValue FromText(string? value) => value is null ? Null : new(SqlValueKind.Text, 0, 0, value);

    /// <summary>A blob (NULL for a null array).</summary>
    public static SqlValue FromBlob(byte[]? value) => value is null ? Null : new(SqlValueKind.Blob, 0, 0, value);

    /// <summary>1 for true, 0 for false.</summary>
    public static SqlValue FromBoolean(bool value) => FromInteger(value ? 1 : 0);

    /// <summary>The value of a .NET object: null/DBNull, integers, floating point, decimal, bool, string, char, byte[], DateTime, Guid.</summary>
    /// <exception cref="SqlException">Another type.</exception>
    public static SqlValue FromObject(object? value) => value switch
    {
        null or DBNull => Null,
        long l => FromInteger(l),
        int i => FromInteger(i),
        short s => FromInteger(s),
        byte b => FromInteger(b),
        sbyte sb => FromInteger(sb),
        ushort us => FromInteger(us),
        uint ui => FromInteger(ui),
        ulong ul => ul <= long.MaxValue ? FromInteger((long)ul) : FromReal(ul),
        bool flag => FromBoolean(flag),
        double d => FromReal(d),
        float f => FromReal(f),
        decimal m => FromReal((double)m),
        string text => FromText(text),
        char c => FromText(c.ToString()),
        byte[] bytes => FromBlob(bytes),
        DateTime time => FromText(time.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        DateTimeOffset offset => FromText(offset.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        Guid guid => FromText(guid.ToString()),
        Enum e => FromInteger(Convert.ToInt64(e, CultureInfo.InvariantCulture)),
        _ => throw new SqlException($"A value of type {value.GetType().Name} cannot be used in SQL."),
    };

    /// <summary>The value as a .NET object: null, long, double, string or byte[].</summary>
    public object? ToObject() => Kind switch
    {
        SqlValueKind.Integer => _integer,
        SqlValueKind.Real => _real,
        SqlValueKind.Text or SqlValueKind.Blob => _reference,
        _ => null,
    };

    /// <summary>The integer (valid when <see cref="Kind"/> is Integer).</summary>
    internal long Integer => _integer;

    /// <summary>The real (valid when <see cref="Kind"/> is Real).</summary>
    internal double Real => _real;

    /// <summary>The text (valid when <see cref="Kind"/> is Text).</summary>
    internal string Text => (string)_reference!;

    /// <summary>The bytes (valid when <see cref="Kind"/> is Blob).</summary>
    internal byte[] Blob => (byte[])_reference!;

    /// <summary>The value as an integer, as <c>sqlite3_value_int64</c> gives it: reals truncate (saturating), text takes its numeric prefix, NULL is 0.</summary>
    public long ToInteger() => Kind switch
    {
        SqlValueKind.Integer => _integer,
        SqlValueKind.Real => RealToInteger(_real),
        SqlValueKind.Text => TextToInteger(Text),
        SqlValueKind.Blob => TextToInteger(Encoding.UTF8.GetString(Blob)),
        _ => 0,
    };

    /// <summary>The value as a real, as <c>sqlite3_value_double</c> gives it.</summary>
    public double ToReal() => Kind switch
    {
        SqlValueKind.Integer => _integer,
        SqlValueKind.Real => _real,
        SqlValueKind.Text => NumberText.ParsePrefix(Text).ToRealValue(),
        SqlValueKind.Blob => NumberText.ParsePrefix(Encoding.UTF8.GetString(Blob)).ToRealValue(),
        _ => 0,
    };

    /// <summary>The value as text, as <c>sqlite3_value_text</c> gives it (null for NULL).</summary>
    public string? ToText() => Kind switch
    {
        SqlValueKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        SqlValueKind.Real => NumberText.FormatReal(_real),
        SqlValueKind.Text => Text,
        SqlValueKind.Blob => Encoding.UTF8.GetString(Blob),
        _ => null,
    };

    /// <summary>The value used as a number in arithmetic: text and blobs become their numeric prefix (0 when none).</summary>
    internal SqlValue ToNumber() => Kind switch
    {
        SqlValueKind.Text => NumberText.ParsePrefix(Text),
        SqlValueKind.Blob => NumberText.ParsePrefix(Encoding.UTF8.GetString(Blob)),
        _ => this,
    };

    /// <summary>The truth of the value in a condition: null for NULL, else whether its number is not zero.</summary>
    internal bool? ToTruth() => Kind switch
    {
        SqlValueKind.Null => null,
        SqlValueKind.Integer => _integer != 0,
        SqlValueKind.Real => _real != 0,
        _ => ToNumber().ToReal() != 0,
    };

    /// <summary>The value converted by a column affinity, as SQLite converts a value stored in such a column.</summary>
    internal SqlValue WithAffinity(Affinity affinity)
    {
        switch (affinity)
        {
            case Affinity.Text:
                return IsNumeric ? FromText(ToText()) : this;
            case Affinity.Integer or Affinity.Numeric:
                if (Kind == SqlValueKind.Text && NumberText.TryParseWhole(Text, out SqlValue number))
                    return number.Kind == SqlValueKind.Real ? IntegralOrReal(number.Real) : number;
                return Kind == SqlValueKind.Real ? IntegralOrReal(_real) : this;
            case Affinity.Real:
                if (Kind == SqlValueKind.Text && NumberText.TryParseWhole(Text, out SqlValue real))
                    return FromReal(real.ToReal());
                return Kind == SqlValueKind.Integer ? FromReal(_integer) : this;
            default:
                return this;
        }
    }

    /// <summary>
    /// SQLite's order: NULL, then numbers by value (integers and reals compared exactly), then text (binary: by code
    /// point, as UTF-8 bytes compare), then blobs.
    /// </summary>
    public static int Compare(SqlValue left, SqlValue right)
    {
        if (left.IsNumeric && right.IsNumeric)
            return CompareNumbers(left, right);
        int byKind = ClassRank(left.Kind).CompareTo(ClassRank(right.Kind));
        if (byKind != 0)
            return byKind;
        return left.Kind switch
        {
            SqlValueKind.Text => CompareCodePoints(left.Text, right.Text),
            SqlValueKind.Blob => left.Blob.AsSpan().SequenceCompareTo(right.Blob),
            _ => 0,
        };
    }

    /// <inheritdoc/>
    public bool Equals(SqlValue other) => IsNull == other.IsNull && Compare(this, other) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SqlValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Kind switch
    {
        SqlValueKind.Integer => ((double)_integer).GetHashCode(),
        SqlValueKind.Real => _real.GetHashCode(),
        SqlValueKind.Text => StringComparer.Ordinal.GetHashCode(Text),
        SqlValueKind.Blob => Blob.Length,
        _ => 0,
    };

    /// <summary>Equal values (numbers by value).</summary>
    public static bool operator ==(SqlValue left, SqlValue right) => left.Equals(right);

    /// <summary>Different values.</summary>
    public static bool operator !=(SqlValue left, SqlValue right) => !left.Equals(right);

    /// <summary>The value as SQL shows it: NULL, a number, or text.</summary>
    public override string ToString() => ToText() ?? "NULL";

    private static int ClassRank(SqlValueKind kind) => kind switch
    {
        SqlValueKind.Null => 0,
        SqlValueKind.Integer or SqlValueKind.Real => 1,
        SqlValueKind.Text => 2,
        _ => 3,
    };

    /// <summary>
    /// Orders text by code point, which UTF-16 unit order gets wrong only where a surrogate meets a unit from U+E000 up
    /// (U+10000 and above must sort after U+FFFF): at the first differing units, those ranges trade places.
    /// </summary>
    private static int CompareCodePoints(string left, string right)
    {
        int common = left.AsSpan().CommonPrefixLength(right);
        if (common == left.Length || common == right.Length)
            return left.Length.CompareTo(right.Length);
        return CodePointRank(left[common]).CompareTo(CodePointRank(right[common]));
    }

    private static int CodePointRank(char unit) => unit >= '\uE000' ? unit - 0x800 : char.IsSurrogate(unit) ? unit + 0x2000 : unit;

    private static int CompareNumbers(SqlValue left, SqlValue right)
    {
        if (left.Kind == SqlValueKind.Integer && right.Kind == SqlValueKind.Integer)
            return left._integer.CompareTo(right._integer);
        if (left.Kind == SqlValueKind.Real && right.Kind == SqlValueKind.Real)
            return left._real.CompareTo(right._real);
        return left.Kind == SqlValueKind.Integer
            ? CompareIntegerToReal(left._integer, right._real)
            : -CompareIntegerToReal(right._integer, left._real);
    }

    private static int CompareIntegerToReal(long integer, double real)
    {
        if (real < -9223372036854775808.0)
            return 1;
        if (real >= 9223372036854775808.0)
            return -1;
        long truncated = (long)real;
        if (integer != truncated)
            return integer.CompareTo(truncated);
        return ((double)0).CompareTo(real - truncated);
    }

    private static SqlValue IntegralOrReal(double real) =>
        real == Math.Floor(real) && real >= -9223372036854775808.0 && real < 9223372036854775808.0
            ? FromInteger((long)real)
            : FromReal(real);

    private static long RealToInteger(double real)
    {
        if (double.IsNaN(real))
            return 0;
        if (real <= -9223372036854775808.0)
            return long.MinValue;
        return real >= 9223372036854775808.0 ? long.MaxValue : (long)real;
    }

    private static long TextToInteger(string text)
    {
        SqlValue number = NumberText.ParsePrefix(text);
        return number.Kind == SqlValueKind.Integer ? number._integer : RealToInteger(number._real);
    }

    private double ToRealValue() => Kind == SqlValueKind.Integer ? _integer : _real;
}
