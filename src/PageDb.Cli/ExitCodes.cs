namespace PageDb.Cli;

/// <summary>The process exit codes of <c>pagedb</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (and <c>check</c> found nothing wrong).</summary>
    public const int Ok = 0;

    /// <summary><c>check</c> found problems; each is printed on standard output with its page.</summary>
    public const int Problems = 1;

    /// <summary>The command failed: a missing or locked database, a bad expression, an unknown table, bad input.</summary>
    public const int Failed = 2;

    /// <summary>The command line itself was wrong: an unknown command, a missing argument or a bad option.</summary>
    public const int Usage = 3;
}
