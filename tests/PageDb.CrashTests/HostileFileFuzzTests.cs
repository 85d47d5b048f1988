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
/// runs"). A failure names the seed and the case (<see cref="FuzzLoop"/>); each distinct case found is kept as a test in
/// tests/PageDb.Tests/Bugs.
/// </summary>
public class HostileFileFuzzTests
{
    [Test]
    public void Hostile_files_are_refused_or_read_consistently() =>
        FuzzLoop.Run("hostile", CaseCount(), HostileCase.Run);

    private static int CaseCount()
    {
        string? text = Environment.GetEnvironmentVariable("PAGEDB_FUZZ_CASES");
        if (text is not null)
            return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return TestSeed.LongRun ? 100_000 : 10_000;
    }
}
