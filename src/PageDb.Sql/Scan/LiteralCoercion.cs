using System.Globalization;

namespace PageDb.Sql.Scan;

/// <summary>
/// Turns a literal compared with (or computed with) a typed operand into that operand's type, because the engine
/// compares strings only with strings, and index bounds must have their column's exact type: an integer next to a
/// Double becomes a Double, a number next to a Decimal becomes that Decimal (from its text, not via a double), and a
/// string next to a DateTime, Decimal or Bytes value is parsed as one (ISO 8601 UTC; invariant number; text or 0x hex).
/// Anything else is left alone for the type check to judge.
/// </summary>
internal static class LiteralCoercion
{
    /// <summary><paramref name="literal"/> as a <paramref name="target"/> value, or unchanged when no conversion applies.</summary>
    public static LiteralNode To(LiteralNode literal, ColumnType target, string origin) => (literal.Value, target) switch
    {
        (long l, ColumnType.Double) => literal with { Value = (double)l },
        (long or double, ColumnType.Decimal) => literal with { Value = ParseDecimal(literal, origin) },
        (string, ColumnType.Decimal) => literal with { Value = ParseDecimal(literal, origin) },
        (string s, ColumnType.DateTime) => literal with { Value = ParseDateTime(s, literal, origin) },
        (string s, ColumnType.Bytes) => literal with { Value = ByteText.Parse(s) },
        _ => literal,
    };

    private static decimal ParseDecimal(LiteralNode literal, string origin)
    {
        string text = literal.Value is string s ? s : literal.Text;
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value))
            throw ExpressionError.At(origin, literal.Position, $"{Written(literal)} is not a Decimal");
        return value;
    }

    private static DateTime ParseDateTime(string text, LiteralNode literal, string origin)
    {
        const DateTimeStyles Utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, Utc, out DateTime value))
            throw ExpressionError.At(origin, literal.Position, $"{Written(literal)} is not a date and time (write it as ISO 8601, e.g. '2024-01-31' or '2024-01-31T12:00:00Z')");
        return value;
    }

    /// <summary>The literal as the user wrote it: a string in quotes, a number as typed.</summary>
    private static string Written(LiteralNode literal) => literal.Value is string ? literal.ToString() : literal.Text;
}
