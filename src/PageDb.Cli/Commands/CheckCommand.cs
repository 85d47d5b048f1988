using System.CommandLine;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb check &lt;db&gt;</c>: runs <see cref="PageDatabase.CheckIntegrity"/>. Exit 0 when clean; exit 1 with each
/// problem printed with its page when not, including damage so bad that the database cannot be opened.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var command = new Command("check", "Check every page and tree; exit 1 and print each problem with its page") { db };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!)));
        return command;
    }

    private static int Execute(CliContext context, string path)
    {
        IntegrityReport report;
        try
        {
            using PageDatabase database = DatabaseOpener.OpenForReading(path);
            report = database.CheckIntegrity();
        }
        catch (CorruptDatabaseException e)
        {
            string page = e.PageNumber is { } n ? "page " + n.ToString(CultureInfo.InvariantCulture) + ": " : "";
            context.Out.WriteLine(page + ErrorText.Describe(e));
            return ExitCodes.Problems;
        }
        foreach (IntegrityProblem problem in report.Problems)
            context.Out.WriteLine(problem.ToString());
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.PagesChecked} pages checked, {report.Problems.Count} problems"));
        return report.IsOk ? ExitCodes.Ok : ExitCodes.Problems;
    }
}
