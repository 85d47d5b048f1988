namespace PageDb.Cli.Prompt;

/// <summary>
/// The prompt's reader when standard input is not a terminal: the prompt goes to <paramref name="promptOutput"/> and
/// lines come from <see cref="Console.In"/> as they are, with no editing and no history.
/// </summary>
internal sealed class PipedPromptReader(TextWriter promptOutput) : IPromptReader
{
    /// <inheritdoc/>
    public string? ReadLine(string prompt)
    {
        promptOutput.Write(prompt);
        return Console.In.ReadLine();
    }

    /// <inheritdoc/>
    public void Remember(string entry)
    {
    }
}
