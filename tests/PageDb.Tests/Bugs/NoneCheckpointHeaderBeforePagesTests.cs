using PageDb.Testing.FaultInjection;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the crash harness once it crash-tested <see cref="Durability.None"/> (CrashRecoveryTests, process crashes,
/// PAGEDB_SEED=1786248199): with syncs off, a checkpoint wrote the header first (pages are copied in page order) and
/// the pages it counts after, so a process killed in between left a header counting pages the file lacked, and the
/// open refused the database as truncated, although the OS had kept every write. The header is now written after the
/// file has grown, as it is after the sync when syncs are on.
/// </summary>
public class NoneCheckpointHeaderBeforePagesTests
{
    [Test]
    public void A_process_killed_during_a_growing_checkpoint_leaves_a_database_that_opens_with_every_commit()
    {
        for (int crashAfter = 1; crashAfter < 200; crashAfter++)
        {
            var storage = new FaultInjectingStorage();
            PageDatabase db = PageDatabase.Open(DbPath, Options(storage, Durability.None));
            using (WriteTransaction tx = db.BeginWrite())
            {
                Tree tree = tx.CreateTree("t");
                for (int i = 0; i < 300; i++)
                    tree.Put(Bytes($"k{i:D4}"), new byte[100]); // grows the file by many pages
                tx.Commit();
            }
            storage.CrashAtCall = storage.Calls + crashAfter;
            try
            {
                db.Checkpoint();
            }
            catch (Exception) when (storage.HasCrashed)
            {
                // the process dies
            }
            if (!storage.HasCrashed)
                break; // the checkpoint made fewer calls: every crash point was tried
            storage.CrashProcess();
            using PageDatabase reopened = PageDatabase.Open(DbPath, Options(storage, Durability.None));
            using (ReadTransaction read = reopened.BeginRead())
                Assert.That(read.GetTree("t").Count, Is.EqualTo(300), $"crash {crashAfter} calls into the checkpoint");
            Assert.That(reopened.CheckIntegrity().IsOk, Is.True, $"crash {crashAfter} calls into the checkpoint");
        }
    }
}
