using System.Diagnostics;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// Operation latencies in <see cref="Stopwatch"/> ticks, recorded by one thread into storage reserved before the timed
/// part (so recording allocates nothing unless a run outgrows the reservation), and read as percentiles afterwards.
/// </summary>
public sealed class LatencyRecorder(int expectedCount)
{
    private long[] _ticks = new long[expectedCount];

    /// <summary>How many latencies were recorded.</summary>
    public int Count { get; private set; }

    /// <summary>Records one latency measured from <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>) until now.</summary>
    public void RecordSince(long startTimestamp)
    {
        long elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        if (Count == _ticks.Length)
            Array.Resize(ref _ticks, _ticks.Length * 2);
        _ticks[Count++] = elapsed;
    }

    /// <summary>
    /// The given percentiles (0 &lt; p &lt;= 100, nearest rank) of every latency of <paramref name="recorders"/> together,
    /// in milliseconds; NaN when nothing was recorded.
    /// </summary>
    public static double[] PercentilesInMilliseconds(IReadOnlyList<LatencyRecorder> recorders, params ReadOnlySpan<double> percentiles)
    {
        var all = new List<long>();
        foreach (LatencyRecorder recorder in recorders)
            all.AddRange(recorder._ticks.AsSpan(0, recorder.Count));
        all.Sort();
        var result = new double[percentiles.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int rank = (int)Math.Ceiling(percentiles[i] / 100 * all.Count);
            result[i] = all.Count == 0 ? double.NaN : all[Math.Max(rank, 1) - 1] * 1000.0 / Stopwatch.Frequency;
        }
        return result;
    }
}
