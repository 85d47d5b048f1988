using System.CommandLine;
using System.Globalization;
using PageDb.Replication;
using PageDb.Sql.Statistics;
using PageDb.Sql.Values;

namespace PageDb.Cli.Commands;

/// <summary>
/// <c>pagedb stats &lt;db&gt;</c>: page counts by type, free pages, WAL size, cache figures, a fill-factor histogram
/// of the B+tree pages, and each tree's height, entries, pages and leaf fill. <c>pagedb stats &lt;db&gt; &lt;table&gt;</c>:
/// the column statistics SQL's ANALYZE stored for the table, and each column's histogram. With
/// <c>--replica &lt;url&gt;</c> it also shows the newest state that replica holds (generation, segments, when it was
/// shipped). The command opens the database without replicating it; the lag in commits, bytes and time and the last
/// error come from the status file the writing process's replicator publishes beside the database
/// (<see cref="ReplicaStatusFile"/>), shown with its age, or "not running" when there is none.
/// </summary>
internal static class StatsCommand
{
    public static Command Create(CliContext context)
    {
        var db = CommonArguments.Database();
        var table = new Argument<string?>("table")
        {
            Description = "A table: show the column statistics ANALYZE stored for it instead",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var replica = new Option<string?>("--replica")
        {
            Description = "The database's replica (s3://bucket/prefix or file:///folder): also show the newest state it holds",
        };
        var command = new Command("stats", "Show pages by type, free pages, WAL size, cache figures, page fill and tree heights") { db, table, replica };
        command.SetAction(r => context.Guard(() => r.GetValue(table) is { } name
            ? ExecuteForTable(context, r.GetValue(db)!, name)
            : Execute(context, r.GetValue(db)!, r.GetValue(replica))));
        return command;
    }

    private static int ExecuteForTable(CliContext context, string path, string name)
    {
        using PageDatabase database = DatabaseOpener.OpenForReading(path);
        using ReadTransaction read = database.BeginRead();
        Table table = TableLookup.Get(read, name);
        Dictionary<string, ColumnStatistics> stats = StatisticsStore.Read(read, table.Name);
        if (stats.Count == 0)
        {
            context.Out.WriteLine($"No statistics for table {table.Name}: run ANALYZE {table.Name} (pagedb sql) to collect them.");
            return ExitCodes.Ok;
        }
        var columns = new TextTable(["column", "rows", "distinct", "nulls", "min", "max"]);
        var histograms = new TextTable(["column", "bucket", "rows", "distinct", "low", "high"]);
        foreach (Column column in table.Schema.Columns)
        {
            if (!stats.TryGetValue(column.Name, out ColumnStatistics? c))
                continue;
            columns.Add(c.Column, Number(c.Rows), Number(c.Distinct), Number(c.Nulls), Value(c.Min), Value(c.Max));
            for (int i = 0; i < c.Histogram.Count; i++)
            {
                HistogramBucket bucket = c.Histogram[i];
                histograms.Add(c.Column, Number(i + 1), Number(bucket.Rows), Number(bucket.Distinct), Value(bucket.Low), Value(bucket.High));
            }
        }
        columns.Write(context.Out);
        context.Out.WriteLine();
        histograms.Write(context.Out);
        return ExitCodes.Ok;
    }

    private static string Value(SqlValue value) => value.Kind switch
    {
        SqlValueKind.Null => "NULL",
        SqlValueKind.Blob => "x'" + Convert.ToHexString(value.Blob) + "'",
        _ => value.ToText()!,
    };

    private static int Execute(CliContext context, string path, string? replicaUrl)
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
        context.Out.WriteLine();
        WriteReplicationStatus(context.Out, path);
        if (replicaUrl is not null)
        {
            context.Out.WriteLine();
            WriteReplica(context.Out, replicaUrl);
        }
        return ExitCodes.Ok;
    }

    /// <summary>The newest generation of the replica at <paramref name="url"/>.</summary>
    private static void WriteReplica(TextWriter output, string url)
    {
        (string store, IReadOnlyList<ReplicaGeneration> generations) = ReplicaStores.ListGenerations(url);
        ReplicaGeneration? newest = generations.LastOrDefault(g => g.HasSnapshot);
        var figures = new TextTable(["replica", "value"]);
        figures.Add("store", store);
        figures.Add("generations", Number(generations.Count));
        if (newest is null)
        {
            figures.Add("newest generation", "none restorable");
        }
        else
        {
            TimeSpan age = DateTimeOffset.UtcNow - newest.EndsAt;
            figures.Add("newest generation", newest.Name);
            figures.Add("segments", Number(newest.SegmentCount));
            figures.Add("shipped through", string.Create(CultureInfo.InvariantCulture, $"{newest.EndsAt:yyyy-MM-dd HH:mm:ss.fff} UTC ({age.TotalSeconds:N1} s ago)"));
        }
        figures.Write(output);
    }

    /// <summary>What the writing process's replicator last published (its status file), with the file's age.</summary>
    private static void WriteReplicationStatus(TextWriter output, string path)
    {
        string file = ReplicaStatusFile.PathFor(path);
        ReplicaStatus? status = ReplicaStatusFile.TryRead(file, out string? unreadable);
        var figures = new TextTable(["replication", "value"]);
        if (status is null)
        {
            figures.Add("status", unreadable is null
                ? "not running (no process replicating this database: no " + Path.GetFileName(file) + ")"
                : $"unreadable: {Path.GetFileName(file)}: {unreadable}");
            figures.Write(output);
            return;
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        TimeSpan age = now - status.WrittenAt;
        figures.Add("as of", Seconds(age) + " ago" + (age > TimeSpan.FromSeconds(5) ? " (a running replicator rewrites it every second between calls to its store: a call is taking long, or the writer was killed)" : ""));
        figures.Add("generation", status.Generation ?? "none stored yet");
        figures.Add("lag commits", status.LagCommits < 0 ? "all (no generation stored)" : Number(status.LagCommits));
        figures.Add("lag bytes", Number(status.LagBytes));
        figures.Add("lag time", status.BehindSince is { } since ? Seconds(now - since) : "0 s");
        figures.Add("last shipped", status.LastShippedAt is { } shipped ? Seconds(now - shipped) + " ago" : "never");
        figures.Add("last error", status.LastError ?? "none");
        figures.Add("at start", status.Resume ?? "not decided yet (the store was not read)");
        figures.Write(output);
    }

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):N1} s");

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
