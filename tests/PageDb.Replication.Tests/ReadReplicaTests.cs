namespace PageDb.Replication.Tests;

/// <summary>
/// A read replica (<c>PageDatabase.OpenReplica</c>) following a writer that commits nonstop: every snapshot it serves
/// is the writer's state at some acknowledged commit, never going back, it trails the writer by at most a couple of
/// segments and polls, and it follows the writer into a new generation. A starved thread pool does not stall it.
/// </summary>
public sealed class ReadReplicaTests
{
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-follow-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void A_replica_serves_increasing_acknowledged_states_and_follows_a_new_generation()
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        string source = Path.Combine(_scratch, "source.pagedb");
        long acknowledged = 0;
        PageDatabase writer = ReplicatorTests.OpenReplicated(store, source);
        CommitLog.Commit(writer, Interlocked.Increment(ref acknowledged));
        ReplicatorTests.WaitUntilShipped(writer);
        using ReadReplica replica = PageDatabase.OpenReplica(store, Path.Combine(_scratch, "replica.pagedb"), TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource();
        // A thread of its own, not a thread-pool task: a nonstop writer on one of the pool's few threads (2 on a 2-core
        // machine) starved the replicator's and the replica's pool work, and the replica did not move for seconds.
        var writing = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Counted before the commit: the replicator may ship it before Commit returns to this thread.
                long n = Interlocked.Increment(ref acknowledged);
                CommitLog.Commit(writer, n);
            }
        });
        writing.Start();

        long seen = 0;
        var distinct = new HashSet<long>();
        DateTime until = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < until)
        {
            Thread.Sleep(1);
            long upper = Interlocked.Read(ref acknowledged);
            long n = CommitLog.CommitOf(replica.Database, "replica");
            Assert.That(n, Is.GreaterThanOrEqualTo(seen).And.LessThanOrEqualTo(upper), $"a replica snapshot went back from {seen}, or is ahead of the commits made ({upper})");
            seen = n;
            distinct.Add(n);
        }

        // The lag bound ("within the segment interval plus the polling interval"), in positions and counts, not time:
        // a commit the writer has made is in the store once two more segments are shipped (the first may have been
        // cut before it), and applied by the replica once two more of its polls have finished after that (the first
        // may have listed the store before it). So the replica trails by at most the cut and the poll in progress
        // plus one more of each, while the writer goes on committing.
        for (int probe = 0; probe < 5; probe++)
        {
            long made = CommitLog.CommitOf(writer, "writer");
            long segments = writer.GetStats().Replication!.SegmentsShipped;
            ReplicatorTests.WaitUntil(() => writer.ReplicationStats!.SegmentsShipped >= segments + 2);
            long polls = replica.Polls;
            ReplicatorTests.WaitUntil(() => replica.Polls >= polls + 2);
            long applied = CommitLog.CommitOf(replica.Database, "replica");
            Assert.That(applied, Is.GreaterThanOrEqualTo(made), $"probe {probe}: commit {made} was made and then 2 segments shipped and 2 polls finished, yet the replica serves commit {applied} (replica error: {replica.LastError})");
            Assert.That(applied, Is.GreaterThanOrEqualTo(seen), "a replica snapshot went back");
            seen = applied;
        }
        stop.Cancel();
        writing.Join();
        ReplicationStats stats = writer.GetStats().Replication!;
        writer.Dispose();
        // A commit made without replication: the reopened writer cannot continue the generation, so it starts a new one.
        using (PageDatabase unreplicated = PageDatabase.Open(source))
            CommitLog.Commit(unreplicated, ++acknowledged);
        using (PageDatabase reopened = ReplicatorTests.OpenReplicated(store, source))
        {
            for (int i = 0; i < 10; i++)
                CommitLog.Commit(reopened, ++acknowledged);
            Assert.That(reopened.GetStats().Replication!.Resume, Does.StartWith("started a new generation"));
        }
        ReplicatorTests.WaitUntil(() => CommitLog.CommitOf(replica.Database, "replica") == acknowledged);

        Assert.That(distinct, Has.Count.GreaterThan(3), $"the replica should have moved on several times while the writer committed (replica: {replica.LastError}; writer shipped {stats.SegmentsShipped} segments, lag {stats.LagCommits} commits, error {stats.LastError})");
        Assert.That(replica.LastError, Is.Null);
    }

    /// <summary>The replica polls on a thread of its own: a pool whose every thread is blocked does not hold it back.</summary>
    [Test]
    public void A_replica_follows_its_writer_while_every_pool_thread_is_busy()
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        FollowWhileEveryPoolThreadIsBusy(store, Path.Combine(_scratch, "source.pagedb"), Path.Combine(_scratch, "replica.pagedb"));
    }

    /// <summary>Opens a writer and a replica of it, then commits 50 more while the pool is starved and waits until the replica serves the last.</summary>
    internal static void FollowWhileEveryPoolThreadIsBusy(IReplicaStore store, string source, string replicaPath)
    {
        using PageDatabase writer = ReplicatorTests.OpenReplicated(store, source);
        CommitLog.Commit(writer, 1);
        ReplicatorTests.WaitUntilShipped(writer);
        using ReadReplica replica = PageDatabase.OpenReplica(store, replicaPath, TimeSpan.FromMilliseconds(20));

        ReplicatorTests.WhileEveryPoolThreadIsBusy(() =>
        {
            for (long n = 2; n <= 50; n++)
                CommitLog.Commit(writer, n);
            ReplicatorTests.WaitUntilShipped(writer);
            ReplicatorTests.WaitUntil(() => CommitLog.CommitOf(replica.Database, "replica") == 50);
        });
        Assert.That(replica.LastError, Is.Null);
    }
}
