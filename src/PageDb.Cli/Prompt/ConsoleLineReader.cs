namespace PageDb.Cli.Prompt;

/// <summary>
/// The prompt's reader on a terminal: reads keys with <see cref="Console.ReadKey(bool)"/> (not echoed), feeds them to a
/// <see cref="LineEditor"/> and writes its redraws to <paramref name="terminal"/>, the stream the prompt is shown on.
/// Used only when standard input and that stream are a terminal; it leaves Ctrl+C to the console's default handling.
/// </summary>
internal sealed class ConsoleLineReader(TextWriter terminal) : IPromptReader
{
    private readonly LineEditor _editor = new();

    /// <inheritdoc/>
    public string? ReadLine(string prompt)
    {
        Write(_editor.Begin(prompt));
        while (true)
        {
            LineEditStep step = _editor.Feed(Console.ReadKey(intercept: true));
            Write(step.Output);
            if (step.Outcome != LineEditOutcome.Editing)
                return step.Line;
        }
    }

    /// <inheritdoc/>
    public void Remember(string entry) => _editor.Remember(entry);

    private void Write(string text)
    {
        if (text.Length == 0)
            return;
        terminal.Write(text);
        terminal.Flush();
    }
}
