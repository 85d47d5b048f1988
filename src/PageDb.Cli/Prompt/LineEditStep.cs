namespace PageDb.Cli.Prompt;

/// <summary>
/// The result of one key fed to <see cref="LineEditor"/>: the text to write to the terminal so that it shows the line
/// (<paramref name="Output"/>, possibly empty), what happened, and the finished line when there is one.
/// </summary>
internal readonly record struct LineEditStep(string Output, LineEditOutcome Outcome, string? Line);
