using PageDb.Engine;

namespace PageDb.Replication.Tests;

/// <summary>
/// Two replication sessions on one database (<see cref="IDatabaseReplication.Start"/> is public): only the first gets
/// the writer's hand-over of commit pages (the one observer slot), the second cuts by reading frames back, and stopping
/// either leaves the first's hand-over in place.
/// </summary>
public sealed class ReplicationSessionsTests
{
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-sessions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void A_second_session_neither_takes_nor_clears_the_first_sessions_hand_over()
    {
        var first = new FolderReplicaStore(Path.Combine(_scratch, "first"));
        var second = new FolderReplicaStore(Path.Combine(_scratch, "second"));
        using (PageDatabase database = ReplicatorTests.OpenReplicated(first, Path.Combine(_scratch, "source.pagedb")))
        {
            var queue = (CommitFrameQueue)database.Engine.CommitFrameObserver!;
            using (IReplicationSession session = new ReplicationOptions { Store = second, SegmentInterval = TimeSpan.FromMilliseconds(20) }.Start(database))
            {
                Assert.That(database.Engine.CommitFrameObserver, Is.SameAs(queue), "the second session took the slot");
                for (long n = 1; n <= 20; n++)
                    CommitLog.Commit(database, n);
                ReplicatorTests.WaitUntil(() => session.Stats.LagCommits == 0);
            }
            Assert.That(database.Engine.CommitFrameObserver, Is.SameAs(queue), "stopping the second session cleared the first's");
            ReplicatorTests.WaitUntilShipped(database);
            long rebuilt = queue.Rebuilt;
            for (long n = 21; n <= 40; n++)
                CommitLog.Commit(database, n);
            ReplicatorTests.WaitUntilShipped(database);
            Assert.That(queue.Rebuilt, Is.GreaterThan(rebuilt), "the first session still cuts from the handed-over pages");
        }
        PageDatabase.Restore(first, Path.Combine(_scratch, "first.pagedb"));
        using (PageDatabase restored = PageDatabase.Open(Path.Combine(_scratch, "first.pagedb")))
            Assert.That(CommitLog.CommitOf(restored, "first"), Is.EqualTo(40));
        PageDatabase.Restore(second, Path.Combine(_scratch, "second.pagedb"));
        using (PageDatabase restored = PageDatabase.Open(Path.Combine(_scratch, "second.pagedb")))
            Assert.That(CommitLog.CommitOf(restored, "second"), Is.EqualTo(20));
    }
}
