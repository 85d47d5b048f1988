using PageDb.Sql.Values;

namespace PageDb.Sql;

/// <summary>
/// A statement's parameter values by name. Named parameters are found with or without their prefix (<c>@id</c>,
/// <c>:id</c>, <c>$id</c> and <c>id</c> are one name); positional ones (<c>?</c>, <c>?2</c>) by their number.
/// </summary>
public sealed class SqlParameters
{
    private readonly Dictionary<string, SqlValue> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>No parameters.</summary>
    public static SqlParameters Empty { get; } = new();

    /// <summary>Sets parameter <paramref name="name"/> (with or without prefix, or a number for a positional one).</summary>
    public void Set(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _values[Normalize(name)] = SqlValue.FromObject(value);
    }

    /// <summary>Sets the positional parameter <paramref name="position"/> (1-based).</summary>
    public void Set(int position, object? value) => _values["?" + position.ToString(System.Globalization.CultureInfo.InvariantCulture)] = SqlValue.FromObject(value);

    /// <summary>The value of a parameter as written in SQL, with its position for a bare <c>?</c>.</summary>
    internal bool TryGet(string written, int position, out SqlValue value)
    {
        if (written[0] == '?')
            return _values.TryGetValue("?" + position.ToString(System.Globalization.CultureInfo.InvariantCulture), out value);
        return _values.TryGetValue(Normalize(written), out value);
    }

    private static string Normalize(string name)
    {
        if (name[0] == '?')
            return name;
        if (char.IsAsciiDigit(name[0]))
            return "?" + name;
        return name[0] is '@' or ':' or '$' ? name[1..] : name;
    }
}
