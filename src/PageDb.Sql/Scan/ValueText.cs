using System.Globalization;

namespace PageDb.Sql.Scan;

/// <summary>
/// A column value as <c>pagedb</c> prints it: NULL, numbers in the invariant culture (doubles so that they read back
/// to the same bits), bytes as 0x hex, times as ISO 8601 UTC, Booleans as true/false, strings as they are.
/// </summary>
internal static class ValueText
{
    /// <summary>The text of <paramref name="value"/> (a row's value as an object).</summary>
    public static string Format(object? value) => value switch
    {
        null => "NULL",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => ByteText.Hex(bytes),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
