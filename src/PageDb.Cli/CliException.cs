namespace PageDb.Cli;

/// <summary>A failure the user can act on, reported as its message alone on one line of standard error.</summary>
internal sealed class CliException(string message) : Exception(message);
