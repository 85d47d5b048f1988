using System.Globalization;
using System.Text;

namespace PageDb.Sql.Scan;

/// <summary>
/// Keys and values on the command line: UTF-8 text, or bytes written as <c>0x</c> followed by hex digits.
/// Printed back as text when the bytes are valid UTF-8 without control characters, as 0x hex otherwise.
/// </summary>
internal static class ByteText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes <paramref name="text"/> stands for.</summary>
    public static byte[] Parse(string text)
    {
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return Encoding.UTF8.GetBytes(text);
        try
        {
            return Convert.FromHexString(text.AsSpan(2));
        }
        catch (FormatException)
        {
            throw new SqlException($"'{text}' starts with 0x but is not an even number of hex digits");
        }
    }

    /// <summary>The bytes as text when they read as printable UTF-8 (and could not be mistaken for hex), else 0x hex.</summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        string? text = TryDecode(bytes);
        return text is not null && !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text : Hex(bytes);
    }

    /// <summary>The bytes as 0x followed by lower-case hex digits.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    private static string? TryDecode(ReadOnlySpan<byte> bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        foreach (char c in text)
            if (char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format)
                return null;
        return text;
    }
}
