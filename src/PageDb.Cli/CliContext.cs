namespace PageDb.Cli;

/// <summary>Where a command writes: its results to <see cref="Out"/>, its errors to <see cref="Err"/>.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error)
{
    /// <summary>Results: tables, values, plans, problems found by <c>check</c>.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Errors and progress.</summary>
    public TextWriter Err { get; } = error;

    /// <summary>True when <see cref="Err"/> is the process's standard error and that is a terminal: progress bars go there.</summary>
    public bool ErrIsTerminal => ReferenceEquals(Err, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>
    /// Runs <paramref name="command"/> and turns any exception into one line on <see cref="Err"/> and
    /// <see cref="ExitCodes.Failed"/>: a person reads the reason, never a stack trace.
    /// </summary>
    public int Guard(Func<int> command)
    {
        try
        {
            return command();
        }
#pragma warning disable CA1031 // the command line's last line of defence: every failure becomes one line of text
        catch (Exception e)
#pragma warning restore CA1031
        {
            Err.WriteLine("pagedb: " + ErrorText.Describe(e));
            return ExitCodes.Failed;
        }
    }
}
