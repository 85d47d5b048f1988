namespace PageDb.Cli.Prompt;

/// <summary>Where the interactive <c>pagedb sql</c> prompt gets its lines: a terminal with line editing, or piped input.</summary>
internal interface IPromptReader
{
    /// <summary>Shows <paramref name="prompt"/> and reads one line; null at the end of the input.</summary>
    string? ReadLine(string prompt);

    /// <summary>Records a whole statement or dot command for later recall (a reader without history ignores it).</summary>
    void Remember(string entry);
}
