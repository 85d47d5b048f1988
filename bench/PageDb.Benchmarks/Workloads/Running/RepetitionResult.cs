namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>What one repetition measured: the workload's own metrics and its timed part.</summary>
public sealed record RepetitionResult(double[] Values, Measurement Timed);
