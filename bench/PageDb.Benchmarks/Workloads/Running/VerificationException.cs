using System.Diagnostics.CodeAnalysis;

namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>An engine gave a wrong answer: its result for the workload is shown as FAILED, never as a number.</summary>
public sealed class VerificationException(string message) : Exception(message)
{
    /// <summary>Throws unless <paramref name="actual"/> equals <paramref name="expected"/>.</summary>
    public static void ThrowUnlessEqual(ScanTotals expected, ScanTotals actual, string what)
    {
        if (expected != actual)
        {
            Throw($"{what}: expected {expected.Count:N0} rows summing to {expected.SumOfValues:R}, " +
                  $"got {actual.Count:N0} rows summing to {actual.SumOfValues:R}");
        }
    }

    /// <summary>Throws with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void ThrowUnless([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            Throw(message);
        }
    }

    [DoesNotReturn]
    private static void Throw(string message) => throw new VerificationException(message);
}
