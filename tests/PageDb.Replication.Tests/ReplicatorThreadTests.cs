namespace PageDb.Replication.Tests;

/// <summary>
/// The replicator runs on a thread of its own: an application that keeps every thread-pool thread busy does not hold
/// shipping back. Found in the last session: a nonstop writer on a pool thread starved the replicator, which then
/// looped on the pool.
/// </summary>
[NonParallelizable] // it caps and fills the process's thread pool
public sealed class ReplicatorThreadTests
{
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-replicator-thread-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void A_replicator_ships_to_a_folder_while_every_pool_thread_is_busy()
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        using PageDatabase database = ReplicatorTests.OpenReplicated(store, Path.Combine(_scratch, "source.pagedb"));
        ThreadPool.GetMinThreads(out int minWorkers, out _);
        ThreadPool.GetMaxThreads(out int maxWorkers, out int maxCompletion);
        using var gate = new ManualResetEventSlim();
        const int Extra = 8;
        int started = 0, finished = 0;
        bool probeRan = false;
        Assert.That(ThreadPool.SetMaxThreads(minWorkers, maxCompletion), "the pool's maximum could not be capped");
        try
        {
            // More blockers than the capped pool has threads, then a probe queued behind them: it runs only if a pool
            // thread ever comes free (or the pool had more threads than the cap), so it tells whether the pool really
            // was saturated while the replicator shipped.
            for (int i = 0; i < minWorkers + Extra; i++)
            {
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    Interlocked.Increment(ref started);
                    gate.Wait();
                    Interlocked.Increment(ref finished);
                });
            }
            ThreadPool.QueueUserWorkItem(_ => Volatile.Write(ref probeRan, true));
            ReplicatorTests.WaitUntil(() => Volatile.Read(ref started) > 0); // the others may be held by the test host

            for (long n = 1; n <= 50; n++)
                CommitLog.Commit(database, n);
            ReplicatorTests.WaitUntilShipped(database);

            Assert.That(Volatile.Read(ref probeRan), Is.False, "a pool thread came free, so the pool was not saturated and the test proves nothing");
        }
        finally
        {
            gate.Set();
            ThreadPool.SetMaxThreads(maxWorkers, maxCompletion);
            // The gate is disposed on return: every blocker must have passed it first.
            SpinWait.SpinUntil(() => Volatile.Read(ref finished) == minWorkers + Extra, TimeSpan.FromSeconds(30));
        }
    }
}
