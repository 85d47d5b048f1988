using System.Diagnostics;
using PageDb.Testing;

namespace PageDb.CrashTests.Harness;

/// <summary>
/// The loop of the hostile-file fuzzers (<see cref="HostileFileFuzzTests"/>, <see cref="SalvageFuzzTests"/>): case i of
/// a seed is the template and changes drawn from <c>seed * 1,000,003 + i</c>, run under a per-case time limit (a hang).
/// Every failure message starts with the seed and the case number, so its first line alone replays it; the summary
/// counts the outcomes and names the slowest case (how close a loaded machine came to the time limit).
/// </summary>
internal static class FuzzLoop
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="cases"/> cases of <paramref name="runCase"/>; returns the summary line (also written to the test output).</summary>
    public static string Run<TOutcome>(string name, int cases, Func<HostileFiles, TOutcome> runCase)
        where TOutcome : struct, Enum
    {
        int seed = TestSeed.Next();
        _ = HostileTemplates.All; // built once, before the first case's clock starts
        var counts = new Dictionary<TOutcome, int>();
        var started = Stopwatch.StartNew();
        (TimeSpan Time, int Case) slowest = (TimeSpan.Zero, -1);
        for (int i = 0; i < cases; i++)
        {
            string where = $"{name} case {i} of {TestSeed.Describe(seed)}";
            string context = where;
            long caseStarted = Stopwatch.GetTimestamp();
            TOutcome outcome;
            try
            {
                // Not HashCode.Combine: its salt differs per process, so a printed seed would not replay the case.
                var random = new Random(unchecked((seed * 1_000_003) + i));
                HostileFiles files = HostileMutator.MutateTemplate(random, where, out context);
                outcome = PageSurgery.WithinTimeLimit(() => runCase(files), CaseLimit, context);
            }
            catch (AssertionException e)
            {
                throw new AssertionException($"{where}: {e.Message}\n{context}", e);
            }
            catch (Exception e)
            {
                throw new AssertionException($"{where}: {e.GetType().Name} (only PageDbException may refuse a file): {e.Message}\n{context}", e);
            }
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            TimeSpan elapsed = Stopwatch.GetElapsedTime(caseStarted);
            if (elapsed > slowest.Time)
                slowest = (elapsed, i);
        }
        string summary = $"{cases} {name} cases in {started.Elapsed.TotalSeconds:0.0} s (slowest: case {slowest.Case}, "
            + $"{slowest.Time.TotalMilliseconds:0} ms): {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"))}";
        TestContext.Out.WriteLine(summary);
        return summary;
    }
}
