using PageDb.CrashTests.Harness;
using PageDb.Testing;

namespace PageDb.CrashTests;

/// <summary>
/// The structure-aware fuzzer of issue #15: small databases (<see cref="HostileTemplates"/>) changed the way a buggy
/// tool or an attacker would, knowing the format (<see cref="HostileMutator"/>: page fields with the checksum
/// recomputed, WAL frames with the chain recomputed), then opened, read, checked and written (<see cref="HostileCase"/>).
/// Every case must end refused (a <see cref="PageDbException"/>), intact, or changed (see <see cref="HostileCase"/>);
/// never a hang, another exception, keys out of order, or a file broken by a write after it passed the check.
/// 10,000 cases by default; PAGEDB_LONG=1 runs 100,000 and PAGEDB_FUZZ_CASES any number (README, "Crash and soak
/// runs"). A failure names the seed and the case; each distinct case found is kept as a test in tests/PageDb.Tests/Bugs.
/// </summary>
public class HostileFileFuzzTests
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(30);

    [Test]
    public void Hostile_files_are_refused_or_read_consistently()
    {
        int seed = TestSeed.Next();
        int cases = CaseCount();
        var counts = new Dictionary<HostileCase.Outcome, int>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            // Not HashCode.Combine: its salt differs per process, so a printed seed would not replay the case.
            var random = new Random(unchecked((seed * 1_000_003) + i));
            HostileFiles files = HostileMutator.MutateTemplate(random, $"case {i} of {TestSeed.Describe(seed)}", out string context);
            HostileCase.Outcome outcome;
            try
            {
                outcome = PageSurgery.WithinTimeLimit(() => HostileCase.Run(files), CaseLimit, context);
            }
            catch (AssertionException e)
            {
                throw new AssertionException($"{e.Message}\n{context}", e);
            }
            catch (Exception e)
            {
                throw new AssertionException($"{e.GetType().Name} (only PageDbException may refuse a file): {e.Message}\n{context}", e);
            }
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
        }
        TestContext.Out.WriteLine($"{cases} cases in {started.Elapsed.TotalSeconds:0.0} s: "
            + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
    }

    private static int CaseCount()
    {
        string? text = Environment.GetEnvironmentVariable("PAGEDB_FUZZ_CASES");
        if (text is not null)
            return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return TestSeed.LongRun ? 100_000 : 10_000;
    }
}
