using PageDb.Testing.FaultInjection;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the crash harness (CrashRecoveryTests, PAGEDB_SEED=339918836, Normal): a checkpoint that a reader held back
/// from copying anything returned without syncing the WAL, so with Durability.Normal the commits before it were still
/// not durable and a crash lost them. A checkpoint now always syncs the log first: when it returns, every commit made
/// before it survives a crash.
/// </summary>
public class CheckpointHeldBackBySyncsNothingTests
{
    [Test]
    public void Commits_before_a_held_back_checkpoint_survive_a_crash()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var storage = new FaultInjectingStorage();
            PageDatabase db = PageDatabase.Open(DbPath, Options(storage, Durability.Normal));
            Put(db, "t", ("a", "1"));
            db.Checkpoint();
            ReadTransaction reader = db.BeginRead(); // holds every later commit back from the copy
            Put(db, "t", ("b", "2"));
            Put(db, "t", ("c", "3"));
            db.Checkpoint(CheckpointMode.Passive);
            storage.Crash(seed); // the open database and reader are abandoned, as in a power loss
            GC.KeepAlive(reader);

            using PageDatabase reopened = PageDatabase.Open(DbPath, Options(storage, Durability.Normal));
            using ReadTransaction tx = reopened.BeginRead();
            Assert.That(Text(tx.GetTree("t").Get(Bytes("c"))), Is.EqualTo("3"), $"crash seed {seed}");
            Assert.That(Text(tx.GetTree("t").Get(Bytes("b"))), Is.EqualTo("2"), $"crash seed {seed}");
        }
    }
}
