using System.Globalization;
using PageDb.CrashTests.Harness;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;

namespace PageDb.CrashTests;

/// <summary>
/// What <see cref="Durability.None"/> promises after a power loss: nothing but a clean outcome. It never syncs, so
/// the disk may keep any subset of its writes (a checkpoint's pages without the WAL frames they came from, a header
/// counting pages that never landed): the database may lose any commit, or hold a mix that
/// <see cref="PageDatabase.CheckIntegrity"/> reports, or refuse to open with <see cref="PageDbException"/>; never
/// another exception. (That it loses nothing when only the process dies: <see cref="CrashRecoveryTests"/>.)
/// </summary>
public class DurabilityNoneTests
{
    private const string DbPath = "none/db.pagedb";

    [Test]
    public void After_a_power_loss_the_database_opens_or_is_refused_with_a_PageDbException()
    {
        int seed = TestSeed.Next();
        int powerLosses = TestSeed.LongRun ? 2000 : 150;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < powerLosses; i++)
        {
            string outcome = PowerLossOutcome(seed + i);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        string summary = string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"));
        TestContext.Out.WriteLine($"{powerLosses} power losses under Durability.None: {summary}");
        Assert.That(outcomes.Values.Sum(), Is.EqualTo(powerLosses));
    }

    /// <summary>Runs a random workload until a power loss at a random I/O call, then opens and checks what is left.</summary>
    private static string PowerLossOutcome(int seed)
    {
        var random = new Random(seed);
        var storage = new FaultInjectingStorage();
        var options = new PageDbOptions
        {
            Storage = storage,
            Durability = Durability.None,
            CacheSizeBytes = 64 * 4096,
            CheckpointThresholdBytes = random.Next(2) == 0 ? 48 << 10 : 512 << 10,
        };
        var workload = new Workload(new Random(random.Next()), () => PageDatabase.Open(DbPath, options), new WorkloadModel());
        storage.CrashAtCall = random.Next(20, 3000);
        try
        {
            workload.Open();
            while (!storage.HasCrashed)
                workload.Step();
        }
        catch (Exception) when (storage.HasCrashed)
        {
            // the power loss
        }
        workload.Abandon();
        storage.Crash(random.Next());
        try
        {
            using PageDatabase db = PageDatabase.Open(DbPath, options);
            IntegrityReport report = db.CheckIntegrity();
            if (!report.IsOk)
                return "opened with integrity problems";
            ulong found = WorkloadModel.Load(db).Digest;
            return found == workload.Committed.Digest || found == workload.InFlight?.Digest ? "opened at the last commit" : "opened at an older commit or a mix";
        }
        catch (PageDbException e)
        {
            return "refused (" + e.GetType().Name + ")";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AssertionException(string.Create(CultureInfo.InvariantCulture,
                $"a power loss under Durability.None must end in a database or a PageDbException, not {e.GetType().Name}: {e.Message}; {TestSeed.Describe(seed)}"), e);
        }
    }
}
