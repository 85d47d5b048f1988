using PageDb.CrashTests.Harness;
using PageDb.Testing;

namespace PageDb.CrashTests;

/// <summary>
/// The structure-aware fuzzer of issue #15: small databases (<see cref="HostileTemplates"/>) changed the way a buggy
/// tool or an attacker would, knowing the format (<see cref="HostileMutator"/>: page fields with the checksum
/// recomputed, WAL frames with the chain recomputed), then opened, read, checked and written (<see cref="HostileCase"/>).
/// Every case must end refused (a <see cref="PageDbException"/>), intact, or changed (see <see cref="HostileCase"/>);
/// never a hang, another exception, keys out of order, or a file broken by a write after it passed the check.
/// 10,000 cases by default over memory storage, and 500 on real files read in place; PAGEDB_LONG=1 runs 100,000 and PAGEDB_FUZZ_CASES any number (README, "Crash and soak
/// runs"). A failure names the seed and the case (<see cref="FuzzLoop"/>); each distinct case found is kept as a test in
/// tests/PageDb.Tests/Bugs.
/// </summary>
public class HostileFileFuzzTests
{
    [Test]
    public void Hostile_files_are_refused_or_read_consistently() =>
        FuzzLoop.Run("hostile", CaseCount(), HostileCase.Run);

    /// <summary>
    /// The same cases on real files, whose pages read transactions take in place from the mapping (verified once per
    /// page there, not per load): 500 by default, PAGEDB_LONG=1 5,000.
    /// </summary>
    [Test]
    public void Hostile_files_read_in_place_are_refused_or_read_consistently()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("pages are read in place only from a memory mapping, used only on Linux");
        FuzzLoop.Run("hostile in place", TestSeed.LongRun ? 5_000 : 500, HostileCase.RunOnRealFiles);
    }

    private static int CaseCount()
    {
        string? text = Environment.GetEnvironmentVariable("PAGEDB_FUZZ_CASES");
        if (text is not null)
            return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return TestSeed.LongRun ? 100_000 : 10_000;
    }
}
