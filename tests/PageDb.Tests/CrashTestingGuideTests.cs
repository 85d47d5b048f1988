using PageDb.Testing.FaultInjection;

namespace PageDb.Tests;

/// <summary>docs/CRASH-TESTING.md's example, as written there: an application's crash test over the PageDb.Testing package.</summary>
public class CrashTestingGuideTests
{
    [Test]
    public void The_guide_example_crashes_at_every_call_and_every_acknowledged_commit_survives()
    {
        long crashPoints = 0;
        for (long crashAt = 1; ; crashAt++)
        {
            var storage = new FaultInjectingStorage();
            var options = new PageDbOptions { Storage = storage, Durability = Durability.Full };
            storage.CrashAtCall = crashAt;
            int acknowledged = 0;
            try
            {
                using PageDatabase db = PageDatabase.Open("app.pagedb", options);
                for (int i = 0; i < 10; i++)
                {
                    using WriteTransaction tx = db.BeginWrite();
                    tx.GetOrCreateTree("orders").Put(BitConverter.GetBytes(i), "paid"u8);
                    tx.Commit();
                    acknowledged = i + 1;
                }
            }
            catch (Exception) when (storage.HasCrashed) { }
            bool crashed = storage.HasCrashed;
            storage.Crash(seed: (int)crashAt);

            using (PageDatabase db = PageDatabase.Open("app.pagedb", options))
            using (ReadTransaction tx = db.BeginRead())
            {
                long found = acknowledged == 0 ? 0 : tx.GetTree("orders").Count;
                Assert.That(found, Is.GreaterThanOrEqualTo(acknowledged), $"crash at call {crashAt}");
                Assert.That(db.CheckIntegrity().IsOk, $"crash at call {crashAt}");
            }
            if (!crashed)
                break;
            crashPoints++;
        }
        Assert.That(crashPoints, Is.GreaterThan(50), "ten commits make more I/O calls than that");
    }
}
