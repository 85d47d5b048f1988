using System.CommandLine;
using System.Globalization;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb stats &lt;db&gt;</c>: page counts by type, free pages, WAL size, cache figures, a fill-factor histogram
/// of the B+tree pages, and each tree's height, entries, pages and leaf fill.
/// </summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var command = new Command("stats", "Show pages by type, free pages, WAL size, cache figures, page fill and tree heights") { db };
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
        context.Out.WriteLine();
        WriteFillHistogram(context.Out, stats.FillHistogram);
        context.Out.WriteLine();
        WriteTrees(context.Out, stats.Trees);
        return ExitCodes.Ok;
    }

    /// <summary>One row per tenth of fill, with a bar scaled to the largest bucket (40 characters wide).</summary>
    private static void WriteFillHistogram(TextWriter output, IReadOnlyList<long> buckets)
    {
        const int BarWidth = 40;
        long largest = Math.Max(1, buckets.DefaultIfEmpty(0).Max());
        var histogram = new TextTable(["B+tree page fill", "pages", ""]);
        for (int i = 0; i < buckets.Count; i++)
        {
            string range = i == buckets.Count - 1 ? $"{i * 10}-100%" : $"{i * 10}-{(i + 1) * 10}%";
            int bar = (int)Math.Ceiling((double)buckets[i] * BarWidth / largest);
            histogram.Add(range, Number(buckets[i]), new string('#', bar));
        }
        histogram.Write(output);
    }

    private static void WriteTrees(TextWriter output, IReadOnlyList<TreeStats> trees)
    {
        var table = new TextTable(["tree", "kind", "height", "entries", "leaf pages", "interior pages", "overflow pages", "leaf fill"]);
        foreach (TreeStats tree in trees)
        {
            table.Add(tree.Name, tree.Kind, Number(tree.Height), Number(tree.Entries), Number(tree.LeafPages),
                Number(tree.InteriorPages), Number(tree.OverflowPages),
                tree.LeafFill.ToString("P1", CultureInfo.InvariantCulture));
        }
        table.Write(output);
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
