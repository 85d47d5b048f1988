namespace PageDb.Replication.Tests;

/// <summary>Replication and restore against a real S3-compatible server (<see cref="S3rverProcess"/>), as in CI.</summary>
[NonParallelizable]
public sealed class ReplicationS3Tests
{
    private S3rverProcess _server = null!;
    private string _scratch = null!;

    [OneTimeSetUp]
    public void StartServer()
    {
        _server = S3rverProcess.Start();
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-s3-replication-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        _server?.Dispose();
        if (_scratch is not null)
            Directory.Delete(_scratch, recursive: true);
    }

    [Test]
    public void A_database_replicated_to_s3_restores_to_its_last_commit_and_at_a_point_in_time()
    {
        using S3ReplicaStore store = Store("db-" + Guid.NewGuid().ToString("N"));
        DateTimeOffset middle = default;
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Path.Combine(_scratch, "source.pagedb")))
        {
            for (long n = 1; n <= 100; n++)
            {
                CommitLog.Commit(database, n);
                if (n == 50)
                {
                    ReplicatorTests.WaitUntilShipped(database);
                    middle = DateTimeOffset.UtcNow;
                    Thread.Sleep(5);
                }
            }
        }

        RestoreResult latest = PageDatabase.Restore(store, Path.Combine(_scratch, "latest.pagedb"));
        RestoreResult atMiddle = PageDatabase.Restore(store, Path.Combine(_scratch, "middle.pagedb"), RestoreTarget.AtTime(middle));

        using (PageDatabase restored = PageDatabase.Open(Path.Combine(_scratch, "latest.pagedb")))
            Assert.That(CommitLog.CommitOf(restored, "latest"), Is.EqualTo(100).And.EqualTo(latest.Commits));
        using (PageDatabase restored = PageDatabase.Open(Path.Combine(_scratch, "middle.pagedb")))
            Assert.That(CommitLog.CommitOf(restored, "middle"), Is.EqualTo(50).And.EqualTo(atMiddle.Commits));
    }

    /// <summary>
    /// The AWS SDK has no synchronous calls, and its awaits continue on the thread pool (socket completions too); a
    /// pool whose every thread is blocked must not hold the replicator's S3 calls back: see <see cref="S3ReplicaStore"/>.
    /// </summary>
    [Test]
    public void A_replicator_ships_to_s3_while_every_pool_thread_is_busy()
    {
        using S3ReplicaStore store = Store("db-" + Guid.NewGuid().ToString("N"));
        using PageDatabase database = ReplicatorTests.OpenReplicated(store, Path.Combine(_scratch, "starved.pagedb"));

        ReplicatorTests.WhileEveryPoolThreadIsBusy(() =>
        {
            for (long n = 1; n <= 50; n++)
                CommitLog.Commit(database, n);
            ReplicatorTests.WaitUntilShipped(database);
        });
    }

    /// <summary>A read replica following an S3 replica polls on its own thread, with the SDK's calls sent on it: a starved pool does not stall it.</summary>
    [Test]
    public void A_replica_follows_s3_while_every_pool_thread_is_busy()
    {
        using S3ReplicaStore store = Store("db-" + Guid.NewGuid().ToString("N"));
        ReadReplicaTests.FollowWhileEveryPoolThreadIsBusy(store, Path.Combine(_scratch, "followed.pagedb"), Path.Combine(_scratch, "follower.pagedb"));
    }

    private S3ReplicaStore Store(string prefix) => new(new S3ReplicaStoreOptions
    {
        Bucket = S3rverProcess.Bucket,
        Prefix = prefix,
        ServiceUrl = _server.Endpoint,
        AccessKey = S3rverProcess.AccessKey,
        SecretKey = S3rverProcess.AccessKey,
    });
}
