using PageDb.CrashTests.Harness;
using PageDb.Testing;

namespace PageDb.CrashTests;

/// <summary>
/// <see cref="PageDatabase.Salvage"/> (<c>pagedb recover</c>) on the hostile files of <see cref="HostileFileFuzzTests"/>
/// (same templates and mutator): it refuses only with a <see cref="PageDbException"/>, never changes the damaged files,
/// and recovers everything a file that <see cref="PageDatabase.CheckIntegrity"/> does not flag reads
/// (<see cref="SalvageCase"/>). 300 cases by default; PAGEDB_LONG=1 runs 5,000 and PAGEDB_SALVAGE_CASES any number
/// (README, "Crash and soak runs"). A failure names the seed and the case.
/// </summary>
public class SalvageFuzzTests
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(30);

    [Test]
    public void Salvage_of_hostile_files_refuses_cleanly_changes_nothing_and_recovers_what_checks_clean()
    {
        int seed = TestSeed.Next();
        int cases = CaseCount();
        var counts = new Dictionary<SalvageCase.Outcome, int>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            var random = new Random(unchecked((seed * 1_000_003) + i));
            HostileFiles files = HostileMutator.MutateTemplate(random, $"salvage case {i} of {TestSeed.Describe(seed)}", out string context);
            SalvageCase.Outcome outcome;
            try
            {
                outcome = PageSurgery.WithinTimeLimit(() => SalvageCase.Run(files), CaseLimit, context);
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
        TestContext.Out.WriteLine($"{cases} salvage cases in {started.Elapsed.TotalSeconds:0.0} s: "
            + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
    }

    private static int CaseCount()
    {
        string? text = Environment.GetEnvironmentVariable("PAGEDB_SALVAGE_CASES");
        if (text is not null)
            return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return TestSeed.LongRun ? 5_000 : 300;
    }
}
