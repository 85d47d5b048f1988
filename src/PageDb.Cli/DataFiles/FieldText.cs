namespace PageDb.Cli.DataFiles;

/// <summary>
/// One field of a record as the file holds it: its text, or null for a null (an unquoted empty CSV field, a JSON
/// null or a JSON key that is missing). <paramref name="TextOnly"/> marks a JSON string: type inference reads it as
/// text or a date, never as a number or a boolean.
/// </summary>
internal readonly record struct FieldText(string? Text, bool TextOnly)
{
    /// <summary>The null field.</summary>
    public static FieldText Null => default;
}
