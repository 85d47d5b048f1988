namespace PageDb.Sql;

/// <summary>
/// A statement that cannot run: a syntax error, an unknown table or column, a type error or a missing parameter.
/// <see cref="Line"/> and <see cref="Column"/> (1-based) point at the offending token when it is known, else 0.
/// </summary>
public sealed class SqlException : PageDbException
{
    /// <summary>Makes an error that points at <paramref name="line"/> and <paramref name="column"/> (0 when unknown).</summary>
    public SqlException(string message, int line = 0, int column = 0)
        : base(line > 0 ? $"{message} (line {line}, column {column})" : message)
    {
        Line = line;
        Column = column;
        Detail = message;
    }

    /// <summary>The 1-based line of the offending token, or 0.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the offending token, or 0.</summary>
    public int Column { get; }

    /// <summary>The message without its position.</summary>
    internal string Detail { get; }

    /// <summary>The 0-based offset of the offending token in the text, or -1 when unknown.</summary>
    internal int Offset { get; init; } = -1;
}
