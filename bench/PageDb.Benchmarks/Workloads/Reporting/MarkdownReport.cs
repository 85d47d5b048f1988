using System.Globalization;
using System.Text;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Reporting;

/// <summary>
/// Renders a <see cref="RunReport"/> as markdown: a header (machine, sizes, engines, disk probe), one table with a row
/// per workload metric, a column per engine ("median (min–max)") and a ratio column per subject engine and baseline,
/// then the reasons of any FAILED or ERROR cell.
/// </summary>
public static class MarkdownReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The markdown text of <paramref name="report"/>.</summary>
    public static string Render(RunReport report)
    {
        var text = new StringBuilder();
        AppendHeader(text, report);
        AppendTable(text, report);
        AppendFailures(text, report);
        return text.ToString();
    }

    private static void AppendHeader(StringBuilder text, RunReport report)
    {
        RunSettings settings = report.Settings;
        WorkloadSizes sizes = settings.Sizes;
        text.AppendLine(Invariant, $"## PageDb comparison workloads{(settings.Quick ? " (--quick)" : "")}");
        text.AppendLine();
        text.AppendLine(Invariant, $"- Run {report.StartedAt:yyyy-MM-dd HH:mm zzz}, took {report.Duration:h\\:mm\\:ss}; median of {settings.Repetitions} repetitions (min–max), each workload after an untimed warm-up pass per engine; seed {settings.Seed}; page cache {settings.CacheSizeBytes >> 20} MiB per engine");
        text.AppendLine(Invariant, $"- Machine: {report.Machine.Cpu}, {report.Machine.LogicalCores} logical cores, {report.Machine.Os}, {report.Machine.Runtime} {report.Machine.Architecture}");
        text.AppendLine(Invariant, $"- Sizes: W1 {sizes.BulkRows:N0} rows; W2 {sizes.RandomRows:N0} rows; W3 {sizes.Lookups:N0} lookups; W4 all W1 rows; W5 {sizes.Ranges:N0} ranges x {sizes.RangeLength}; W6 {sizes.DurableCommits:N0} commits; W7 {sizes.RelaxedCommits:N0} commits; W8 {sizes.ReaderThreads} readers x {sizes.LookupsPerReader:N0} lookups, writer capped at {sizes.WriterCommits:N0} commits; W9 {sizes.Committers} committers x {sizes.CommitSeconds:0.#} s; W10 {sizes.LineItems:N0} lines");
        text.AppendLine(Invariant, $"- Databases in {settings.TempFolder}");
        foreach (EngineInfo engine in report.Engines)
        {
            text.AppendLine(Invariant, $"- `{engine.Name}`: {engine.Description}");
        }
        if (report.DiskProbes.Count > 0)
        {
            double[] rates = [.. report.DiskProbes.Select(p => p.SyncsPerSecond)];
            double[] latencies = [.. report.DiskProbes.Select(p => p.MedianLatencyMilliseconds)];
            text.AppendLine(Invariant, $"- Disk, raw append 4 KB + fsync (beside W6): {Cell(Statistics.Median<double>(rates), rates.Min(), rates.Max())} syncs/s, median latency {Number(Statistics.Median<double>(latencies))} ms");
        }
        text.AppendLine();
    }

    private static void AppendTable(StringBuilder text, RunReport report)
    {
        IReadOnlyList<(string Subject, string Baseline)> ratios = RatioColumns(report);
        var header = new List<string> { "Workload", "Metric" };
        header.AddRange(report.Engines.Select(e => e.Name));
        header.AddRange(ratios.Select(r => $"{r.Subject}/{r.Baseline}"));
        AppendRow(text, header);
        AppendRow(text, [.. header.Select((_, i) => i < 2 ? "---" : "---:")]);
        foreach (WorkloadReport workload in report.Workloads)
        {
            IReadOnlyList<(string Name, bool HigherIsBetter)> metrics = MetricsOf(workload);
            for (int m = 0; m < metrics.Count; m++)
            {
                var row = new List<string>
                {
                    m == 0 ? $"{workload.Id} {workload.Title}" : "",
                    new MetricDefinition(metrics[m].Name, metrics[m].HigherIsBetter).Label,
                };
                row.AddRange(workload.Results.Select(r => EngineCell(r, m)));
                row.AddRange(ratios.Select(r => RatioCell(workload, r.Subject, r.Baseline, m)));
                AppendRow(text, row);
            }
        }
        text.AppendLine();
        text.AppendLine("↑ higher is better, ↓ lower is better; a ratio is the subject's median divided by the baseline's.");
    }

    private static void AppendFailures(StringBuilder text, RunReport report)
    {
        foreach (WorkloadReport workload in report.Workloads)
        {
            foreach (EngineResult result in workload.Results.Where(r => r.Status != nameof(CellStatus.Ok)))
            {
                text.AppendLine(Invariant, $"- {workload.Id} `{result.Engine}` {result.Status.ToUpperInvariant()}: {result.Message}");
            }
        }
    }

    /// <summary>Subject engines (run ones named with the subject prefix, or the prefix itself as a placeholder) x baselines that ran.</summary>
    private static List<(string Subject, string Baseline)> RatioColumns(RunReport report)
    {
        List<string> subjects = [.. report.Engines.Select(e => e.Name).Where(n => n.StartsWith(report.Settings.Subject, StringComparison.OrdinalIgnoreCase))];
        if (subjects.Count == 0)
        {
            subjects.Add(report.Settings.Subject);
        }
        List<string> baselines = [.. report.Settings.Baselines.Where(b => report.Engines.Any(e => e.Name == b))];
        return [.. subjects.SelectMany(s => baselines.Where(b => b != s).Select(b => (s, b)))];
    }

    /// <summary>The workload's metric names, from any engine that has them.</summary>
    private static IReadOnlyList<(string Name, bool HigherIsBetter)> MetricsOf(WorkloadReport workload) =>
        workload.Results.Select(r => r.Metrics).FirstOrDefault(m => m.Count > 0)?.Select(m => (m.Name, m.HigherIsBetter)).ToList()
        ?? [("(no engine finished)", true)];

    private static string EngineCell(EngineResult result, int metric) =>
        result.Status == nameof(CellStatus.NotApplicable) ? "n/a"
        : result.Status != nameof(CellStatus.Ok) ? result.Status.ToUpperInvariant()
        : metric < result.Metrics.Count ? Cell(result.Metrics[metric].Median, result.Metrics[metric].Min, result.Metrics[metric].Max)
        : "n/a";

    private static string RatioCell(WorkloadReport workload, string subject, string baseline, int metric)
    {
        double? top = MedianOf(workload, subject, metric);
        double? bottom = MedianOf(workload, baseline, metric);
        return top is { } t && bottom is { } b && b != 0 && double.IsFinite(t / b)
            ? (t / b).ToString("0.00", Invariant) + "x"
            : "n/a";
    }

    private static double? MedianOf(WorkloadReport workload, string engine, int metric)
    {
        EngineResult? result = workload.Results.FirstOrDefault(r => r.Engine == engine);
        return result is not null && result.Status == nameof(CellStatus.Ok) && metric < result.Metrics.Count
            ? result.Metrics[metric].Median
            : null;
    }

    private static string Cell(double median, double min, double max) =>
        double.IsNaN(median) ? "n/a" : $"{Number(median)} ({Number(min)}–{Number(max)})"; // a metric the engine has no value for

    /// <summary>Three or more significant digits, thousands separated.</summary>
    private static string Number(double value)
    {
        if (double.IsNaN(value))
        {
            return "n/a";
        }
        double magnitude = Math.Abs(value);
        string format = magnitude >= 100 ? "N0" : magnitude >= 10 ? "N1" : magnitude >= 1 ? "N2" : "N3";
        return value.ToString(format, Invariant);
    }

    private static void AppendRow(StringBuilder text, IEnumerable<string> cells) =>
        text.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
}
