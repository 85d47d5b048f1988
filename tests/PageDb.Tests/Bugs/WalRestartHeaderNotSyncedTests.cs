using PageDb.Testing.FaultInjection;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the crash harness (CrashRecoveryTests, PAGEDB_SEED=339910917, Normal): when the WAL restarted after a
/// checkpoint, its new header was written but not synced before the new generation's frames overwrote the old ones.
/// A crash could keep the old header and the start of the old generation while the rest of it was overwritten: recovery
/// then replayed an old prefix of commits over the newer database file (here: the empty catalog of the first commit),
/// losing checkpointed data. The restart now syncs the new header before any frame is written over the old space.
/// </summary>
public class WalRestartHeaderNotSyncedTests
{
    [TestCase(Durability.Full)]
    [TestCase(Durability.Normal)]
    public void A_crash_after_a_WAL_restart_never_resurrects_old_frames(Durability durability)
    {
        for (int crashAfter = 1; crashAfter <= 40; crashAfter += 3)
        {
            for (int seed = 0; seed < 10; seed++)
            {
                var storage = new FaultInjectingStorage();
                PageDatabase db = PageDatabase.Open(DbPath, Options(storage, durability));
                Put(db, "t", ("a", "1"));
                Put(db, "t", ("a", "2"), ("b", "2"));
                db.Checkpoint(); // copies everything and restarts the WAL over its old space
                storage.CrashAtCall = storage.Calls + crashAfter;
                try
                {
                    for (int i = 3; i < 9; i++) // separate writes, so a crash can lose the first and keep later ones
                        Put(db, "t", ("a", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                catch (Exception) when (storage.HasCrashed)
                {
                    // the crash
                }
                storage.Crash(seed);
                using PageDatabase reopened = PageDatabase.Open(DbPath, Options(storage, durability));
                using ReadTransaction tx = reopened.BeginRead();
                Assert.That(tx.TreeNames, Is.EqualTo(new[] { "t" }), $"crash {crashAfter} calls after the restart, seed {seed}");
                string a = Text(tx.GetTree("t").Get(Bytes("a")));
                Assert.That(a, Is.AnyOf("2", "3", "4", "5", "6", "7", "8"), $"crash {crashAfter} calls after the restart, seed {seed}");
                Assert.That(Text(tx.GetTree("t").Get(Bytes("b"))), Is.EqualTo("2"));
            }
        }
    }
}
