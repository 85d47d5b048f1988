namespace PageDb.Cli.Prompt;

/// <summary>What a key fed to <see cref="LineEditor"/> did to the line being edited.</summary>
internal enum LineEditOutcome
{
    /// <summary>The line is still being edited.</summary>
    Editing,

    /// <summary>Enter: the line is finished and is in <see cref="LineEditStep.Line"/>.</summary>
    Finished,

    /// <summary>Ctrl+D on an empty line: the end of input, as a closed standard input is for the piped prompt.</summary>
    EndOfInput,
}
