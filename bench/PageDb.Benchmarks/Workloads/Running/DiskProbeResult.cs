namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>The raw rate of "append 4 KB + fsync" on the benchmark's disk.</summary>
public readonly record struct DiskProbeResult(double SyncsPerSecond, double MedianLatencyMilliseconds);
