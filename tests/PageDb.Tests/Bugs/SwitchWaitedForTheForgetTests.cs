using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found in review of the two-file log (issue 12): the background's forget drops the older generation from the index
/// and only then, still holding the log's switch lock, makes the file it leaves ready for the next switch (shrunk when
/// a long reader let it grow, its first growth step written, each synced). A writer that saw the older generation gone
/// in that window and had waited half a threshold for a prepared switch switched itself, and waited on the switch lock
/// for the forget's syncs: a commit held for as long as those took (a stall on a slow or stuck disk). The writer's
/// switch now declines while a forget is still making the file ready; a commit after it finds the switch prepared.
/// The forget's shrink sync is held here by the storage (the moment a slow disk would stretch), on the background
/// thread, while the committing thread writes past the point where it would switch unprepared.
/// </summary>
public class SwitchWaitedForTheForgetTests
{
    private const long Threshold = 64 << 10;

    [Test]
    public void Commits_past_the_switch_point_do_not_wait_for_a_forget_making_the_file_ready()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        var options = new PageDbOptions
        {
            Storage = faulty, Durability = Durability.Normal, CheckpointThresholdBytes = Threshold, BackgroundCheckpoints = true,
            BeforeDispose = AssertIntact,
        };
        int committer = Environment.CurrentManagedThreadId;
        using var forgetHeld = new ManualResetEventSlim();
        using var releaseForget = new ManualResetEventSlim();
        int written = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            WriteAheadLog wal = WalOf(db);
            void Commit() => Put(db, "t", ($"k{written++:D6}", new string('v', 300)));

            // A generation that grows past twice the threshold, so its forget shrinks its file (a sync after the drop):
            // a reader holds the first generation left behind, so the writer cannot switch away from the second.
            ReadTransaction first = db.BeginRead();
            Commit();
            while (!wal.HasOlderGeneration)
                Commit();
            while (wal.LogBytes <= 2 * Threshold + (16 << 10))
                Commit();
            ReadTransaction second = db.BeginRead();
            Commit(); // the second reader is older than the big generation's last commit: it holds its forget back
            first.Dispose();
            Assert.That(WaitUntil(() => !wal.HasOlderGeneration), Is.True, "the background forgot the first generation");
            while (!wal.HasOlderGeneration)
                Commit(); // the switch away from the big file

            faulty.BeforeSync = (path, includeMetadata) =>
            {
                // The background's first full sync of a log file once the big generation is dropped: the forget's shrink
                // of its file, with the switch lock held (the header's sync before the drop is a data sync).
                if (path.StartsWith(DbPath + "-wal", StringComparison.Ordinal) && includeMetadata
                    && Environment.CurrentManagedThreadId != committer && !wal.HasOlderGeneration && !forgetHeld.IsSet)
                {
                    forgetHeld.Set();
                    releaseForget.Wait();
                }
            };
            second.Dispose();
            Assert.That(forgetHeld.Wait(TimeSpan.FromSeconds(30)), Is.True, "the background's forget shrank the big file");

            // Past the threshold and past the half threshold the writer waits for a prepared switch before it switches
            // itself: three thresholds of commits cross both.
            long start = wal.CommittedBytes;
            Task committing = Task.Run(() =>
            {
                while (wal.CommittedBytes - start < 3 * Threshold)
                    Commit();
            });
            // A bounded wait, not a timing check: commits that wait for the held forget do not end until it is released.
            bool committedDuringForget = committing.Wait(TimeSpan.FromSeconds(20));
            releaseForget.Set();
            committing.Wait();
            faulty.BeforeSync = null;
            Assert.That(committedDuringForget, Is.True, "commits past the switch point waited for the forget making the file ready");
            for (int i = 0; i < 50; i++)
                Commit();
        }

        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written));
    }
}
