using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Reporting;

/// <summary>Everything a run measured: written as JSON, and rendered as markdown.</summary>
public sealed record RunReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    MachineInfo Machine,
    RunSettings Settings,
    IReadOnlyList<EngineInfo> Engines,
    IReadOnlyList<DiskProbeResult> DiskProbes,
    IReadOnlyList<WorkloadReport> Workloads);

/// <summary>The settings a run used.</summary>
public sealed record RunSettings(
    bool Quick, int Repetitions, ulong Seed, long CacheSizeBytes, string TempFolder, WorkloadSizes Sizes,
    IReadOnlyList<string> Baselines, string Subject);

/// <summary>An engine and its description (versions, settings).</summary>
public sealed record EngineInfo(string Name, string Description);

/// <summary>One workload's results on every engine.</summary>
public sealed record WorkloadReport(string Id, string Title, IReadOnlyList<EngineResult> Results);

/// <summary>One workload on one engine.</summary>
/// <param name="Engine">The engine's name.</param>
/// <param name="Status">"Ok", "Failed" (wrong answer) or "Error" (the engine threw).</param>
/// <param name="Message">Why, when not Ok.</param>
/// <param name="Metrics">Per metric over the measured repetitions (empty when not Ok).</param>
public sealed record EngineResult(string Engine, string Status, string? Message, IReadOnlyList<MetricSummary> Metrics);

/// <summary>One metric over the measured repetitions.</summary>
public sealed record MetricSummary(string Name, bool HigherIsBetter, double Median, double Min, double Max, IReadOnlyList<double> Samples);
