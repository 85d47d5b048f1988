using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Reporting;

/// <summary>Turns the runner's raw cells into a <see cref="RunReport"/>: medians, minima and maxima per metric.</summary>
public static class ReportBuilder
{
    /// <summary>Builds the report of a finished run.</summary>
    public static RunReport Build(
        RunOptions options,
        IReadOnlyList<EngineDescriptor> engines,
        IReadOnlyList<Workload> workloads,
        IReadOnlyDictionary<(string Workload, string Engine), ResultCell> cells,
        IReadOnlyList<DiskProbeResult> diskProbes,
        DateTimeOffset started)
    {
        var workloadReports = new List<WorkloadReport>(workloads.Count);
        foreach (Workload workload in workloads)
        {
            var results = new List<EngineResult>(engines.Count);
            foreach (EngineDescriptor engine in engines)
            {
                ResultCell cell = cells.GetValueOrDefault((workload.Id, engine.Name)) ?? new ResultCell();
                results.Add(Summarize(engine.Name, AllMetrics(workload), cell));
            }
            workloadReports.Add(new WorkloadReport(workload.Id, workload.Title, results));
        }
        var engineInfos = new List<EngineInfo>(engines.Count);
        foreach (EngineDescriptor engine in engines)
        {
            engineInfos.Add(new EngineInfo(engine.Name, engine.Describe()));
        }
        var settings = new RunSettings(options.Quick, options.Repetitions, options.Seed, options.CacheSizeBytes,
            options.TempFolder, options.Sizes, options.Baselines, options.Subject);
        return new RunReport(started, DateTimeOffset.Now - started, MachineInfo.Current(), settings, engineInfos, diskProbes, workloadReports);
    }

    /// <summary>The workload's metrics followed by the two the runner adds to every workload.</summary>
    public static IReadOnlyList<MetricDefinition> AllMetrics(Workload workload) =>
        [.. workload.Metrics, MetricDefinition.AllocatedPerOperation, MetricDefinition.PeakWorkingSetGrowth];

    private static EngineResult Summarize(string engine, IReadOnlyList<MetricDefinition> metrics, ResultCell cell)
    {
        var summaries = new List<MetricSummary>(metrics.Count);
        if (cell.Status == CellStatus.Ok && cell.Samples.Count > 0)
        {
            for (int m = 0; m < metrics.Count; m++)
            {
                var samples = new double[cell.Samples.Count];
                for (int r = 0; r < samples.Length; r++)
                {
                    samples[r] = cell.Samples[r][m];
                }
                summaries.Add(new MetricSummary(metrics[m].Name, metrics[m].HigherIsBetter,
                    Statistics.Median<double>(samples), samples.Min(), samples.Max(), samples));
            }
        }
        return new EngineResult(engine, cell.Status.ToString(), cell.Message, summaries);
    }
}
