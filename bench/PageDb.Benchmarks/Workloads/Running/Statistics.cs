using System.Numerics;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>Medians of repetitions and latencies.</summary>
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
}
