namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>One number a workload reports per repetition.</summary>
/// <param name="Name">What it is, with its unit ("rows/s", "file MB").</param>
/// <param name="HigherIsBetter">Direction, shown as an arrow so a ratio reads the right way.</param>
public sealed record MetricDefinition(string Name, bool HigherIsBetter)
{
    /// <summary>Managed bytes allocated per operation in the timed part (all threads).</summary>
    public static MetricDefinition AllocatedPerOperation { get; } = new("alloc B/op", HigherIsBetter: false);

    /// <summary>Growth of the process's peak working set over the run, from just before the engine opened.</summary>
    public static MetricDefinition PeakWorkingSetGrowth { get; } = new("peak WS +MB", HigherIsBetter: false);

    /// <summary>Name with a direction arrow.</summary>
    public string Label => Name + (HigherIsBetter ? " ↑" : " ↓");
}
