using System.CommandLine;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary><c>pagedb stats &lt;db&gt;</c>: page counts by type, free pages, WAL size, cache figures and the trees.</summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var command = new Command("stats", "Show pages by type, free pages, WAL size, cache figures and tree sizes") { db };
        command.SetAction(r => context.Guard(() => Execute(context, r.GetValue(db)!)));
        return command;
    }

    private static int Execute(CliContext context, string path)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        DatabaseStats stats = database.GetStats();
        var figures = new TextTable(["figure", "value"]);
        figures.Add("page size", Number(stats.PageSize));
        figures.Add("pages", Number(stats.PageCount));
        figures.Add("free pages", Number(stats.FreePages));
        figures.Add("WAL bytes", Number(stats.WalBytes));
        figures.Add("WAL frames", Number(stats.WalFrames));
        figures.Add("cache hits", Number(stats.CacheHits));
        figures.Add("cache misses", Number(stats.CacheMisses));
        figures.Add("cache evictions", Number(stats.CacheEvictions));
        figures.Add("trees", Number(stats.TreeCount));
        figures.Write(context.Out);
        context.Out.WriteLine();
        var byType = new TextTable(["page type", "pages"]);
        foreach (KeyValuePair<string, long> entry in stats.PagesByType.OrderBy(e => e.Key, StringComparer.Ordinal))
            byType.Add(entry.Key, Number(entry.Value));
        byType.Write(context.Out);
        return ExitCodes.Ok;
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
