using System.Globalization;

namespace PageDb.Sql.Values;

/// <summary>Numbers read from text and reals written as text, the way SQLite does both.</summary>
internal static class NumberText
{
    /// <summary>
    /// The number at the start of <paramref name="text"/> (after spaces): an integer when it has no point or exponent
    /// and fits, else a real; integer 0 when the text does not start with a number.
    /// </summary>
    public static SqlValue ParsePrefix(string text)
    {
        int end = ScanNumber(text, SkipSpaces(text, 0), out bool isInteger);
        return end < 0 ? SqlValue.FromInteger(0) : Convert(text, SkipSpaces(text, 0), end, isInteger);
    }

    /// <summary>True when the whole of <paramref name="text"/> (spaces around allowed) is one number.</summary>
    public static bool TryParseWhole(string text, out SqlValue value)
    {
        int start = SkipSpaces(text, 0);
        int end = ScanNumber(text, start, out bool isInteger);
        if (end < 0 || SkipSpaces(text, end) != text.Length)
        {
            value = default;
            return false;
        }
        value = Convert(text, start, end, isInteger);
        return true;
    }

    /// <summary>
    /// A real as SQLite prints it: 15 significant digits when they read back as the same value, else 17; always
    /// with a point or an exponent. Negative zero prints as 0.0: SQLite's printf takes the sign from value &lt; 0.
    /// </summary>
    public static string FormatReal(double value)
    {
        if (value == 0)
            return "0.0";
        if (double.IsPositiveInfinity(value))
            return "Inf";
        if (double.IsNegativeInfinity(value))
            return "-Inf";
        string text = value.ToString("G15", CultureInfo.InvariantCulture);
        if (double.Parse(text, CultureInfo.InvariantCulture) != value)
            text = value.ToString("G17", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
            return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
        string mantissa = text[..e];
        if (!mantissa.Contains('.', StringComparison.Ordinal))
            mantissa += ".0";
        string exponent = text[(e + 1)..];
        char sign = exponent[0] == '-' ? '-' : '+';
        string digits = exponent.TrimStart('+', '-').PadLeft(2, '0');
        return $"{mantissa}e{sign}{digits}";
    }

    private static int SkipSpaces(string text, int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
            position++;
        return position;
    }

    /// <summary>The end of the number starting at <paramref name="start"/>, or -1 when there is none.</summary>
    private static int ScanNumber(string text, int start, out bool isInteger)
    {
        isInteger = true;
        int position = start;
        if (position < text.Length && text[position] is '+' or '-')
            position++;
        int digits = 0;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
            digits++;
        }
        if (position < text.Length && text[position] == '.')
        {
            int afterPoint = position + 1;
            int fraction = 0;
            while (afterPoint + fraction < text.Length && char.IsAsciiDigit(text[afterPoint + fraction]))
                fraction++;
            if (digits + fraction > 0)
            {
                isInteger = false;
                position = afterPoint + fraction;
                digits += fraction;
            }
        }
        if (digits == 0)
            return -1;
        return ScanExponent(text, position, ref isInteger);
    }

    private static int ScanExponent(string text, int position, ref bool isInteger)
    {
        if (position >= text.Length || text[position] is not ('e' or 'E'))
            return position;
        int next = position + 1;
        if (next < text.Length && text[next] is '+' or '-')
            next++;
        if (next >= text.Length || !char.IsAsciiDigit(text[next]))
            return position;
        while (next < text.Length && char.IsAsciiDigit(text[next]))
            next++;
        isInteger = false;
        return next;
    }

    private static SqlValue Convert(string text, int start, int end, bool isInteger)
    {
        ReadOnlySpan<char> span = text.AsSpan(start, end - start);
        if (isInteger && long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
            return SqlValue.FromInteger(integer);
        return SqlValue.FromReal(double.Parse(span, NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
