using System.Numerics;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>Medians and percentiles of repetitions and latencies.</summary>
public static class Statistics
{
    /// <summary>The median (the mean of the middle two for an even count); sorts a copy.</summary>
    public static double Median<T>(ReadOnlySpan<T> values)
        where T : INumber<T>
    {
        T[] sorted = values.ToArray();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        double upper = double.CreateChecked(sorted[middle]);
        return sorted.Length % 2 == 1 ? upper : (double.CreateChecked(sorted[middle - 1]) + upper) / 2;
    }

    /// <summary>The <paramref name="fraction"/> percentile by nearest rank (0.99: the value 99% of the values are at or below); sorts a copy.</summary>
    public static double Percentile<T>(ReadOnlySpan<T> values, double fraction)
        where T : INumber<T>
    {
        T[] sorted = values.ToArray();
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(fraction * sorted.Length);
        return double.CreateChecked(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
    }
}
