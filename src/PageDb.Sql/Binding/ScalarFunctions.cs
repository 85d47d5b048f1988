using System.Text;
using PageDb.Sql.Values;

namespace PageDb.Sql.Binding;

/// <summary>The scalar functions, with SQLite's NULL and type rules, and CAST.</summary>
internal static class ScalarFunctions
{
    /// <summary>The body of function <paramref name="name"/> taking <paramref name="count"/> arguments.</summary>
    /// <exception cref="SqlException">No such function, or the wrong number of arguments.</exception>
    public static Func<SqlValue[], SqlValue> Resolve(string name, int count, Func<string, SqlException> error)
    {
        (int min, int max, Func<SqlValue[], SqlValue> body) = name switch
        {
            "abs" => (1, 1, (Func<SqlValue[], SqlValue>)(a => Abs(a[0]))),
            "coalesce" => (2, int.MaxValue, FirstNotNull),
            "ifnull" => (2, 2, FirstNotNull),
            "nullif" => (2, 2, a => !a[0].IsNull && !a[1].IsNull && SqlValue.Compare(a[0], a[1]) == 0 ? SqlValue.Null : a[0]),
            "length" => (1, 1, a => Length(a[0])),
            "lower" => (1, 1, a => a[0].IsNull ? a[0] : SqlValue.FromText(a[0].ToText()!.ToLowerInvariant())),
            "upper" => (1, 1, a => a[0].IsNull ? a[0] : SqlValue.FromText(a[0].ToText()!.ToUpperInvariant())),
            "substr" or "substring" => (2, 3, Substr),
            "round" => (1, 2, Round),
            "typeof" => (1, 1, a => SqlValue.FromText(a[0].Kind.ToString().ToLowerInvariant())),
            "min" => (2, int.MaxValue, a => Extreme(a, -1)),
            "max" => (2, int.MaxValue, a => Extreme(a, 1)),
            "instr" => (2, 2, Instr),
            "replace" => (3, 3, Replace),
            "trim" => (1, 2, a => Trim(a, true, true)),
            "ltrim" => (1, 2, a => Trim(a, true, false)),
            "rtrim" => (1, 2, a => Trim(a, false, true)),
            "hex" => (1, 1, a => SqlValue.FromText(Convert.ToHexString(a[0].Kind == SqlValueKind.Blob ? a[0].Blob : Encoding.UTF8.GetBytes(a[0].ToText() ?? "")))),
            "random" => (0, 0, _ => SqlValue.FromInteger(Random.Shared.NextInt64(long.MinValue, long.MaxValue))),
            "likely" or "unlikely" => (1, 1, a => a[0]),
            "sign" => (1, 1, a => a[0].IsNull ? a[0] : SqlValue.FromInteger(Math.Sign(a[0].ToNumber().ToReal()))),
            _ => throw error($"No such function: {name}."),
        };
        if (count < min || count > max)
            throw error($"Wrong number of arguments to function {name}().");
        return body;
    }

    /// <summary>CAST(value AS a type of <paramref name="affinity"/>).</summary>
    public static SqlValue Cast(SqlValue value, Affinity affinity)
    {
        if (value.IsNull)
            return value;
        switch (affinity)
        {
            case Affinity.Integer:
                return SqlValue.FromInteger(value.ToInteger());
            case Affinity.Real:
                return SqlValue.FromReal(value.ToReal());
            case Affinity.Text:
                return SqlValue.FromText(value.ToText());
            case Affinity.Numeric:
                SqlValue number = value.ToNumber();
                return number.Kind == SqlValueKind.Real ? number.WithAffinity(Affinity.Numeric) : number;
            default:
                return value.Kind == SqlValueKind.Blob ? value : SqlValue.FromBlob(Encoding.UTF8.GetBytes(value.ToText()!));
        }
    }

    private static SqlValue FirstNotNull(SqlValue[] arguments)
    {
        foreach (SqlValue value in arguments)
        {
            if (!value.IsNull)
                return value;
        }
        return SqlValue.Null;
    }

    /// <summary>abs(): an integer stays an integer; anything else (text too) becomes a real, as in SQLite.</summary>
    private static SqlValue Abs(SqlValue value)
    {
        if (value.IsNull)
            return value;
        if (value.Kind != SqlValueKind.Integer)
            return SqlValue.FromReal(Math.Abs(value.ToReal()));
        if (value.Integer == long.MinValue)
            throw new SqlException("Integer overflow in abs().");
        return SqlValue.FromInteger(Math.Abs(value.Integer));
    }

    private static SqlValue Length(SqlValue value) => value.Kind switch
    {
        SqlValueKind.Null => value,
        SqlValueKind.Blob => SqlValue.FromInteger(value.Blob.Length),
        _ => SqlValue.FromInteger(value.ToText()!.EnumerateRunes().Count()),
    };

    private static SqlValue Substr(SqlValue[] a)
    {
        if (a[0].IsNull || a[1].IsNull || (a.Length > 2 && a[2].IsNull))
            return SqlValue.Null;
        string text = a[0].ToText()!;
        long start = a[1].ToInteger();
        long length = a.Length > 2 ? a[2].ToInteger() : long.MaxValue / 4;
        if (start < 0)
            start = text.Length + start + 1;
        else if (start == 0 && length > 0)
            length--;
        if (length < 0)
        {
            start += length;
            length = -length;
        }
        long first = Math.Max(start, 1) - 1;
        long end = Math.Min(text.Length, start - 1 + length);
        return SqlValue.FromText(first >= end ? "" : text[(int)first..(int)end]);
    }

    private static SqlValue Round(SqlValue[] a)
    {
        if (a[0].IsNull || (a.Length > 1 && a[1].IsNull))
            return SqlValue.Null;
        int digits = a.Length > 1 ? (int)Math.Clamp(a[1].ToInteger(), 0, 30) : 0;
        double value = a[0].ToNumber().ToReal();
        return SqlValue.FromReal(digits > 15 ? value : Math.Round(value, digits, MidpointRounding.AwayFromZero));
    }

    private static SqlValue Extreme(SqlValue[] a, int sign)
    {
        SqlValue best = a[0];
        foreach (SqlValue value in a)
        {
            if (value.IsNull)
                return SqlValue.Null;
            if (SqlValue.Compare(value, best) * sign > 0)
                best = value;
        }
        return best;
    }

    private static SqlValue Instr(SqlValue[] a)
    {
        if (a[0].IsNull || a[1].IsNull)
            return SqlValue.Null;
        return SqlValue.FromInteger(a[0].ToText()!.IndexOf(a[1].ToText()!, StringComparison.Ordinal) + 1);
    }

    private static SqlValue Replace(SqlValue[] a)
    {
        if (a[0].IsNull || a[1].IsNull || a[2].IsNull)
            return SqlValue.Null;
        string pattern = a[1].ToText()!;
        return pattern.Length == 0 ? a[0] : SqlValue.FromText(a[0].ToText()!.Replace(pattern, a[2].ToText(), StringComparison.Ordinal));
    }

    private static SqlValue Trim(SqlValue[] a, bool left, bool right)
    {
        if (a[0].IsNull || (a.Length > 1 && a[1].IsNull))
            return SqlValue.Null;
        char[] set = a.Length > 1 ? a[1].ToText()!.ToCharArray() : [' '];
        string text = a[0].ToText()!;
        text = left ? text.TrimStart(set) : text;
        return SqlValue.FromText(right ? text.TrimEnd(set) : text);
    }
}
