using System.Diagnostics;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Times a workload's timed part and counts the managed bytes allocated meanwhile (by all threads, so W8's readers
/// count). Native allocations (SQLite's own heap) are not seen.
/// </summary>
public readonly struct Meter
{
    private readonly long _startTimestamp;
    private readonly long _startAllocated;

    private Meter(long startTimestamp, long startAllocated)
    {
        _startTimestamp = startTimestamp;
        _startAllocated = startAllocated;
    }

    /// <summary>Starts timing now.</summary>
    public static Meter Start()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        return new Meter(Stopwatch.GetTimestamp(), allocated);
    }

    /// <summary>Stops timing; <paramref name="operations"/> is how many operations the timed part did.</summary>
    public Measurement Stop(long operations)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _startAllocated;
        return new Measurement(elapsed, operations, allocated);
    }
}
