namespace PageDb.Samples;

/// <summary>
/// Compares each answer the engine gave with one computed independently, and turns any mismatch into a non-zero exit
/// code, so a sample run in CI fails when the engine answers wrongly. Safe to use from several threads.
/// </summary>
internal sealed class AnswerCheck
{
    private readonly Lock _lock = new();

    // Guarded by _lock: the mismatches found so far and how many comparisons were made.
    private readonly List<string> _mismatches = [];
    private int _checked;

    /// <summary>Records a mismatch described by <paramref name="detail"/> when <paramref name="holds"/> is false.</summary>
    public void That(bool holds, string what, Func<string> detail)
    {
        lock (_lock)
        {
            _checked++;
            if (!holds)
                _mismatches.Add($"{what}: {detail()}");
        }
    }

    /// <summary>Checks that the engine's <paramref name="actual"/> equals the independently computed <paramref name="expected"/>.</summary>
    public void Equal<T>(string what, T expected, T actual) =>
        That(EqualityComparer<T>.Default.Equals(expected, actual), what, () => $"expected {expected}, the engine gave {actual}");

    /// <summary>Checks two sequences element by element, naming the first position where they differ.</summary>
    public void SameSequence<T>(string what, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        int length = Math.Min(expected.Count, actual.Count);
        int first = 0;
        while (first < length && EqualityComparer<T>.Default.Equals(expected[first], actual[first]))
            first++;
        That(first == length && expected.Count == actual.Count, what, () => first < length
            ? $"item {first} is {actual[first]}, expected {expected[first]}"
            : $"expected {expected.Count:N0} items, the engine gave {actual.Count:N0}");
    }

    /// <summary>Prints the outcome and returns the process exit code: 0 when every answer matched, 1 otherwise.</summary>
    public int Report()
    {
        lock (_lock)
        {
            if (_mismatches.Count == 0)
            {
                Console.WriteLine($"Checked {_checked:N0} answers: all correct.");
                return 0;
            }
            Console.Error.WriteLine($"{_mismatches.Count:N0} of {_checked:N0} answers are WRONG:");
            foreach (string mismatch in _mismatches.Take(20))
                Console.Error.WriteLine("  " + mismatch);
            return 1;
        }
    }
}
