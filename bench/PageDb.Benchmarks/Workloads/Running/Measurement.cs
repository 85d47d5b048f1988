namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>What a <see cref="Meter"/> saw over a workload's timed part.</summary>
public readonly record struct Measurement(TimeSpan Elapsed, long Operations, long AllocatedBytes)
{
    /// <summary>Operations per second.</summary>
    public double PerSecond => Operations / Elapsed.TotalSeconds;

    /// <summary>Managed bytes allocated per operation (by every thread).</summary>
    public double AllocatedBytesPerOperation => Operations == 0 ? 0 : (double)AllocatedBytes / Operations;
}
