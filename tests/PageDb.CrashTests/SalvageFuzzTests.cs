using PageDb.CrashTests.Harness;
using PageDb.Testing;

namespace PageDb.CrashTests;

/// <summary>
/// <see cref="PageDatabase.Salvage"/> (<c>pagedb recover</c>) on the hostile files of <see cref="HostileFileFuzzTests"/>
/// (same templates and mutator): it refuses only with a <see cref="PageDbException"/>, never changes the damaged files,
/// and recovers everything a file that <see cref="PageDatabase.CheckIntegrity"/> does not flag reads
/// (<see cref="SalvageCase"/>). 300 cases by default; PAGEDB_LONG=1 runs 5,000 and PAGEDB_SALVAGE_CASES any number
/// (README, "Crash and soak runs"). A failure names the seed and the case (<see cref="FuzzLoop"/>).
/// </summary>
public class SalvageFuzzTests
{
    [Test]
    public void Salvage_of_hostile_files_refuses_cleanly_changes_nothing_and_recovers_what_checks_clean() =>
        FuzzLoop.Run("salvage", CaseCount(), SalvageCase.Run);

    private static int CaseCount()
    {
        string? text = Environment.GetEnvironmentVariable("PAGEDB_SALVAGE_CASES");
        if (text is not null)
            return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return TestSeed.LongRun ? 5_000 : 300;
    }
}
