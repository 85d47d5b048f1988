namespace PageDb.Cli;

/// <summary>Turns an exception into the one line <c>pagedb</c> prints for it.</summary>
internal static class ErrorText
{
    /// <summary>A one-line description: the message, prefixed by what kind of failure it is when that helps.</summary>
    public static string Describe(Exception e)
    {
        string message = OneLine(e.Message);
        return e switch
        {
            CliException => message,
            DatabaseLockedException => "database is locked: " + message,
            CorruptDatabaseException => "corrupt database: " + message,
            PageDbException => message,
            FileNotFoundException or DirectoryNotFoundException => "file not found: " + message,
            UnauthorizedAccessException or IOException => "I/O error: " + message,
            ArgumentException { ParamName: { } name } => OneLine(e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)),
            ArgumentException or InvalidOperationException or FormatException => message,
            _ => e.GetType().Name + ": " + message,
        };
    }

    /// <summary>The text with its line breaks turned into spaces, so one failure is one line.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
