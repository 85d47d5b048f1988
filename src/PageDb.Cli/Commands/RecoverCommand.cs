using System.CommandLine;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb recover &lt;damaged.pagedb&gt; &lt;new.pagedb&gt;</c>: salvages every readable row and key of a damaged
/// database into a new one (<see cref="PageDatabase.Salvage"/>), reading every page and never changing the damaged
/// file. Prints what it recovered and each thing it could not read. Exit 0 when nothing was lost, 1 when something was.
/// </summary>
internal static class RecoverCommand
{
    public static Command Create(CliContext context)
    {
        var damaged = new Argument<string>("damaged") { Description = "The damaged database file (only read)" };
        var target = new Argument<string>("new") { Description = "The database to create with what can be read; must not exist" };
        var foreignWal = new Option<bool>("--foreign-wal")
        {
            Description = "Read a WAL that names another database id than the file's header, as if the header's id were the damaged field",
        };
        var command = new Command("recover", "Salvage every readable row and key of a damaged database into a new one; exit 1 when something was lost")
        {
            damaged, target, foreignWal,
        };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(damaged)!, r.GetValue(target)!, r.GetValue(foreignWal))));
        return command;
    }

    private static int Execute(CliContext context, string damaged, string target, bool foreignWal)
    {
        if (!File.Exists(damaged))
            throw new CliException("file not found: " + damaged);
        if (File.Exists(target))
            throw new CliException($"'{target}' exists already; recover creates a new database");
        SalvageReport report = PageDatabase.Salvage(damaged, target, readForeignWal: foreignWal);
        foreach ((string name, long entries) in report.Recovered)
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recovered {name}: {entries} entries"));
        foreach (string problem in report.Problems)
            context.Out.WriteLine("not read: " + problem);
        string lostAndFound = report.LostAndFoundEntries > 0 ? $" ('{report.LostAndFoundTree}')" : "";
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.PagesSurveyed} pages read, {report.UnreadablePages.Count} unreadable, {report.LostAndFoundEntries} entries in lost-and-found{lostAndFound}"));
        return report.IsComplete ? ExitCodes.Ok : ExitCodes.Problems;
    }
}
