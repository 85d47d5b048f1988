using System.Globalization;
using PageDb.CrashTests.Harness;
using PageDb.Testing;
using PageDb.Testing.Processes;

namespace PageDb.CrashTests;

/// <summary>
/// A real process (tests/PageDb.CrashChild) runs the workload over real files with Durability.Full and prints every
/// commit it makes and every one acknowledged; it is killed with SIGKILL at a random moment, and the database must then
/// hold the last acknowledged commit (or the one in flight) and pass the integrity check. The next child continues from
/// there.
/// </summary>
public class ProcessKillTests
{
    [Test]
    public void A_killed_process_loses_no_acknowledged_commit()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        int kills = TestSeed.LongRun ? 500 : 50;
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        int done = 0, acknowledged = 0;
        try
        {
            for (; done < kills; done++)
            {
                string context = $"kill {done}; {TestSeed.Describe(seed)}";
                (string? lastAck, string? inFlight, int acks) = RunAndKill(dbPath, seed + done, random.Next(30, 400), context);
                acknowledged += acks;
                using PageDatabase db = PageDatabase.Open(dbPath);
                string found = WorkloadModel.Load(db).Digest.ToString("x16", CultureInfo.InvariantCulture);
                Assert.That(found, Is.EqualTo(lastAck).Or.EqualTo(inFlight), $"the database is not at the last acknowledged commit; {context}");
                IntegrityReport report = db.CheckIntegrity();
                Assert.That(report.IsOk, Is.True, $"{report}; {context}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        TestContext.Out.WriteLine($"{done} processes killed, {acknowledged} acknowledged commits checked");
        Assert.That(acknowledged, Is.GreaterThan(0), "no child ever acknowledged a commit");
    }

    /// <summary>Runs a child until READY plus <paramref name="runMilliseconds"/>, kills it, and returns what it acknowledged.</summary>
    private static (string? LastAck, string? InFlight, int Acks) RunAndKill(string dbPath, int seed, int runMilliseconds, string context)
    {
        List<string> lines = KilledChildRun.Run(ChildPath(), [dbPath, seed.ToString(CultureInfo.InvariantCulture)], runMilliseconds, context);
        string? lastAck = null, inFlight = null;
        int acks = 0;
        foreach (string line in lines)
        {
            string digest = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            if (line.StartsWith("READY", StringComparison.Ordinal) || line.StartsWith("ACK", StringComparison.Ordinal))
            {
                lastAck = digest;
                inFlight = null;
                acks += line[0] == 'A' ? 1 : 0;
            }
            else if (line.StartsWith("PRE", StringComparison.Ordinal))
            {
                inFlight = digest;
            }
        }
        return (lastAck, inFlight ?? lastAck, acks);
    }

    private static string ChildPath()
    {
        string testDirectory = TestContext.CurrentContext.TestDirectory;
        string path = testDirectory.Replace("PageDb.CrashTests", "PageDb.CrashChild", StringComparison.Ordinal);
        return Path.Combine(path, "PageDb.CrashChild.dll");
    }
}
