using System.CommandLine;
using PageDb.Cli.Commands;

namespace PageDb.Cli;

/// <summary>
/// The <c>pagedb</c> command line. <see cref="Run"/> is the whole program, so tests call it in-process with their
/// own writers. Every failure is one line on the error writer and a non-zero exit code (<see cref="ExitCodes"/>).
/// </summary>
internal static class Cli
{
    /// <summary>Parses <paramref name="args"/>, runs the command, and returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var context = new CliContext(output, error);
        RootCommand root = BuildRoot(context);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine("pagedb: " + ErrorText.OneLine(MostSpecific(parsed.Errors)) + " (see pagedb --help)");
            return ExitCodes.Usage;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>An unknown word explains more than the missing command it causes, so it is preferred.</summary>
    private static string MostSpecific(IReadOnlyList<System.CommandLine.Parsing.ParseError> errors)
    {
        foreach (var parseError in errors)
            if (!parseError.Message.StartsWith("Required command", StringComparison.Ordinal))
                return parseError.Message;
        return errors[0].Message;
    }

    private static RootCommand BuildRoot(CliContext context) =>
        new("pagedb: inspect, query, import into and maintain a PageDb database")
        {
            TablesCommand.Create(context),
            SchemaCommand.Create(context),
            CountCommand.Create(context),
            ScanCommand.Create(context),
            SqlCommand.Create(context),
            ImportCommand.Create(context),
            ImportSqliteCommand.Create(context),
            ExportCommand.Create(context),
            KeyValueCommands.Get(context),
            KeyValueCommands.Put(context),
            KeyValueCommands.Delete(context),
            StatsCommand.Create(context),
            CheckCommand.Create(context),
            RecoverCommand.Create(context),
            MaintenanceCommands.Checkpoint(context),
            MaintenanceCommands.Compact(context),
            BackupCommand.Create(context),
            RestoreCommand.Create(context),
            ReplicasCommand.Create(context),
            FollowCommand.Create(context),
            PageCommand.Create(context),
        };
}
