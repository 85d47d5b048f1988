using System.Globalization;
using PageDb.Sql.Values;

namespace PageDb.Sql;

/// <summary>
/// A statement's parameter values by name. Named parameters are found with or without their prefix (<c>@id</c>,
/// <c>:id</c>, <c>$id</c> and <c>id</c> are one name); positional ones (<c>?</c>, <c>?2</c>) by their number.
/// </summary>
/// <remarks>
/// The values are kept as they were set, in a small array searched from the newest, so that a later value for the same
/// name wins and finding one allocates nothing: a prepared statement's parameters are few and looked up per row.
/// </remarks>
public sealed class SqlParameters
{
    // A named value keeps the name as given (Position 0); a positional one its 1-based position (Name null).
    private Entry[] _entries = [];
    private int _count;

    /// <summary>No parameters.</summary>
    public static SqlParameters Empty { get; } = new();

    /// <summary>Sets parameter <paramref name="name"/> (with or without prefix, or a number for a positional one).</summary>
    public void Set(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Add(new Entry(name, 0, SqlValue.FromObject(value)));
    }

    /// <summary>Sets the positional parameter <paramref name="position"/> (1-based).</summary>
    public void Set(int position, object? value) => Add(new Entry(null, position, SqlValue.FromObject(value)));

    /// <summary>Removes every value, keeping the storage, so that a caller running a statement again and again can reuse one set.</summary>
    public void Clear()
    {
        Array.Clear(_entries, 0, _count);
        _count = 0;
    }

    /// <summary>
    /// The key <see cref="TryGet"/> finds a parameter written as <paramref name="written"/> in SQL by, with its
    /// position for a bare <c>?</c>: made once when the statement is compiled.
    /// </summary>
    internal static string KeyOf(string written, int position) =>
        written == "?" ? "?" + position.ToString(CultureInfo.InvariantCulture) : Normalize(written);

    /// <summary>The value of the parameter whose <see cref="KeyOf"/> is <paramref name="key"/>.</summary>
    internal bool TryGet(string key, out SqlValue value)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            if (_entries[i].Matches(key))
            {
                value = _entries[i].Value;
                return true;
            }
        }
        value = SqlValue.Null;
        return false;
    }

    private void Add(Entry entry)
    {
        if (_count == _entries.Length)
            Array.Resize(ref _entries, Math.Max(1, _count * 2));
        _entries[_count++] = entry;
    }

    private static string Normalize(string name)
    {
        if (name[0] == '?')
            return name;
        if (char.IsAsciiDigit(name[0]))
            return "?" + name;
        return name[0] is '@' or ':' or '$' ? name[1..] : name;
    }

    private readonly record struct Entry(string? Name, int Position, SqlValue Value)
    {
        /// <summary>True when the entry's name normalizes to <paramref name="key"/> (compared in place, with no copy).</summary>
        public bool Matches(string key)
        {
            if (Name is null)
                return key[0] == '?' && Equals(key.AsSpan(1), Position);
            if (Name[0] == '?')
                return key.Equals(Name, StringComparison.OrdinalIgnoreCase);
            if (char.IsAsciiDigit(Name[0]))
                return key[0] == '?' && key.AsSpan(1).Equals(Name, StringComparison.OrdinalIgnoreCase);
            ReadOnlySpan<char> name = Name[0] is '@' or ':' or '$' ? Name.AsSpan(1) : Name;
            return name.Equals(key, StringComparison.OrdinalIgnoreCase);
        }

        private static bool Equals(ReadOnlySpan<char> digits, int position)
        {
            Span<char> text = stackalloc char[11];
            return position.TryFormat(text, out int length, provider: CultureInfo.InvariantCulture) && digits.SequenceEqual(text[..length]);
        }
    }
}
