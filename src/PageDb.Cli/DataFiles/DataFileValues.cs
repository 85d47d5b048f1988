using System.Globalization;
using System.Text.RegularExpressions;
using PageDb.Sql.Scan;

namespace PageDb.Cli.DataFiles;

/// <summary>
/// Values as text in data files, written so that reading them back gives the same bits: Int64 in decimal digits;
/// Double in the shortest text that round-trips ("R"), with NaN, Infinity and -Infinity; Boolean as true/false;
/// String as is; Bytes as 0x followed by hex digits; DateTime as ISO 8601 UTC with seven fraction digits (every
/// tick); Decimal in decimal digits with its scale (1.50 stays 1.50). All in the invariant culture.
/// </summary>
internal static partial class DataFileValues
{
    /// <summary>A sign, digits, a point and an exponent; no blanks, no thousands separators.</summary>
    private const NumberStyles Real = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>The text of column <paramref name="ordinal"/> of <paramref name="row"/>, or null for a null.</summary>
    public static string? Format(Row row, int ordinal, ColumnType type) => row.IsNull(ordinal) ? null : Format(row[ordinal]!, type);

    /// <summary>
    /// Whether <paramref name="text"/>, which <see cref="TryParse"/> read as <paramref name="value"/>, is the text
    /// <see cref="Format(Row, int, ColumnType)"/> writes for it, so that an import then an export gives it back.
    /// </summary>
    public static bool IsCanonical(string text, object value, ColumnType type) => Format(value, type) == text;

    private static string Format(object value, ColumnType type)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            ColumnType.Int64 => ((long)value).ToString(invariant),
            ColumnType.Double => ((double)value).ToString("R", invariant),
            ColumnType.Boolean => (bool)value ? "true" : "false",
            ColumnType.String => (string)value,
            ColumnType.Bytes => ByteText.Hex((byte[])value),
            ColumnType.DateTime => ((DateTime)value).ToString("O", invariant),
            ColumnType.Decimal => ((decimal)value).ToString(invariant),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
        };
    }

    /// <summary>The value <paramref name="text"/> stands for in a column of <paramref name="type"/>.</summary>
    /// <exception cref="DataFileException">The text is not a value of that type.</exception>
    public static object Parse(string text, ColumnType type) => TryParse(text, type) ?? throw new DataFileException(
        $"'{Shorten(text)}' is not {Article(type)} {type.ToString().ToLowerInvariant()}{Hint(type)}");

    /// <summary>The value, or null when <paramref name="text"/> is not one of <paramref name="type"/>.</summary>
    public static object? TryParse(string text, ColumnType type)
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            ColumnType.Int64 => long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out long l) ? l : null,
            ColumnType.Double => double.TryParse(text, Real, invariant, out double d) ? d : null,
            ColumnType.Boolean => ParseBoolean(text),
            ColumnType.String => text,
            ColumnType.Bytes => ParseBytes(text),
            ColumnType.DateTime => ParseDateTime(text),
            ColumnType.Decimal => decimal.TryParse(text, Real, invariant, out decimal m) ? m : null,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown column type"),
        };
    }

    private static bool? ParseBoolean(string text) =>
        text.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
        : text.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
        : null;

    private static byte[]? ParseBytes(string text)
    {
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.Length % 2 != 0)
            return null;
        try
        {
            return Convert.FromHexString(text.AsSpan(2));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>ISO 8601 only (never a culture's short date): a time zone converts to UTC, none means UTC.</summary>
    private static DateTime? ParseDateTime(string text) =>
        IsoDateTime().IsMatch(text)
        && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime value)
            ? value
            : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDateTime();

    private static string Article(ColumnType type) => type is ColumnType.Int64 ? "an" : "a";

    private static string Hint(ColumnType type) => type switch
    {
        ColumnType.Boolean => " (true or false)",
        ColumnType.Bytes => " (0x followed by hex digits)",
        ColumnType.DateTime => " (ISO 8601, e.g. 2024-05-01T12:00:00Z)",
        _ => "",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
