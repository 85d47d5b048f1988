using PageDb.Testing;
using PageDb.Testing.FaultInjection;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Group commit at <see cref="Durability.Full"/> (<c>src/PageDb.Wal/GroupSync.cs</c>): the writer slot is released
/// once a commit is in the log, one sync acknowledges every commit appended before it, readers see a commit only once
/// it is durable, and a sync that fails fails every commit waiting on it, none of which is seen after a reopen. Each
/// test holds a sync in flight with a storage hook, so the interleaving is fixed, not timed.
/// </summary>
public class GroupCommitTests
{
    private static readonly string WalPath = DbPath + "-wal";

    [Test]
    public async Task One_sync_acknowledges_every_commit_appended_while_the_previous_sync_was_in_flight()
    {
        var storage = new FaultyStorage(new MemoryStorage());
        await using PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        Put(db, "t", ("warm", "0"));
        (HeldSync held, List<Task> commits) = AppendBehindHeldSync(db, storage, "a", "k0", "k1", "k2", "k3", "k4");
        using (held)
        {
            using (ReadTransaction read = db.BeginRead())
                Assert.That(read.GetTree("t").Get(Bytes("a")), Is.Null, "a commit is not shown to readers before its sync");
            Assert.That(commits.Any(commit => commit.IsCompleted), Is.False, "every commit waits for the held sync or the next one");
            int walSyncsBefore = held.DataSyncs;
            long countedBefore = db.GetStats().WalSyncs;
            held.Release();
            await Task.WhenAll(commits);
            Assert.That(held.DataSyncs - walSyncsBefore, Is.EqualTo(1), "one sync acknowledged the five commits appended during the first");
            Assert.That(db.GetStats().WalSyncs - countedBefore, Is.EqualTo(2), "the stats count the held sync and the one after it");
        }

        using (ReadTransaction read = db.BeginRead())
            Assert.That(read.GetTree("t").Count, Is.EqualTo(7));
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public async Task A_write_transaction_builds_on_a_commit_still_waiting_for_its_sync()
    {
        var storage = new FaultyStorage(new MemoryStorage());
        await using PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        Put(db, "t", ("n", "0"));
        using var held = new HeldSync(storage);
        Task first = Task.Run(() => Put(db, "t", ("n", "1")));
        held.WaitUntilInFlight();

        Task second;
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.GetTree("t");
            Assert.That(Text(t.Get(Bytes("n"))), Is.EqualTo("1"), "the writer sees the appended commit: it is ordered after it");
            t.Put(Bytes("n"), Bytes("2"));
            second = tx.CommitAsync();
        }
        using (ReadTransaction read = db.BeginRead())
            Assert.That(Text(read.GetTree("t").Get(Bytes("n"))), Is.EqualTo("0"), "readers see only durable commits");
        held.Release();
        await Task.WhenAll(first, second);
        using (ReadTransaction read = db.BeginRead())
            Assert.That(Text(read.GetTree("t").Get(Bytes("n"))), Is.EqualTo("2"));
    }

    [Test]
    public async Task A_failed_sync_fails_every_commit_waiting_on_it_and_none_is_visible_after_reopen(
        [Values(false, true)] bool powerLoss)
    {
        var disk = new FaultInjectingStorage();
        var storage = new FaultyStorage(disk);
        PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        Put(db, "t", ("kept", "1"));
        (HeldSync held, List<Task> commits) = AppendBehindHeldSync(db, storage, "a", "k0", "k1", "k2");

        disk.FailEvery(IoCallKind.Sync); // Linux's fsync: EIO, the frames leave write-back but reads still show them
        held.Release();
        foreach (Task commit in commits)
            Assert.That(async () => await commit, Throws.InstanceOf<PageDbIOException>(), "the commit whose sync failed, or one waiting on it");
        using (ReadTransaction read = db.BeginRead())
            Assert.That(read.GetTree("t").Count, Is.EqualTo(1), "no failed commit was shown to readers");
        Assert.Throws<PageDbIOException>(() => db.BeginWrite(), "writes are refused until reopen");
        disk.ClearFailures();
        held.Dispose();
        if (powerLoss)
            disk.Crash(seed: 7);
        db.Dispose();

        using PageDatabase reopened = ReopenWithOnlyKept(disk);
        Put(reopened, "t", ("after", "2"));
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public async Task A_failed_sync_fails_every_blocked_thread_and_async_commit_waiting_on_it()
    {
        const int Threads = 8, AsyncCommits = 8;
        var disk = new FaultInjectingStorage();
        var storage = new FaultyStorage(disk);
        PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        Put(db, "t", ("kept", "1"));
        (HeldSync held, List<Task> commits) = AppendBehindHeldSync(db, storage, "a");
        // W9's shape: threads blocked in Commit (each appended, then waits for the sync in flight), beside async commits.
        for (int i = 0; i < Threads; i++)
        {
            string key = $"thread{i}";
            commits.Add(Task.Factory.StartNew(() => Put(db, "t", (key, "1")), TaskCreationOptions.LongRunning));
            WaitUntilAppended(db, key);
        }
        for (int i = 0; i < AsyncCommits; i++)
        {
            WriteTransaction tx = db.BeginWrite();
            tx.GetTree("t").Put(Bytes($"async{i}"), Bytes("1"));
            commits.Add(tx.CommitAsync());
        }
        Assert.That(commits.Any(commit => commit.IsCompleted), Is.False, "every commit waits for the held sync or the next one");

        disk.FailEvery(IoCallKind.Sync);
        held.Release();
        foreach (Task commit in commits)
            Assert.That(async () => await commit.WaitAsync(TimeSpan.FromMinutes(1)), Throws.InstanceOf<PageDbIOException>(),
                "a commit waiting on the failed sync (or on the next, which the failure refuses)");
        using (ReadTransaction read = db.BeginRead())
            Assert.That(read.GetTree("t").Count, Is.EqualTo(1), "no failed commit was shown to readers");
        Assert.Throws<PageDbIOException>(() => db.BeginWrite(), "writes are refused until reopen");
        disk.ClearFailures();
        held.Dispose();
        db.Dispose();

        using PageDatabase reopened = ReopenWithOnlyKept(disk);
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public async Task A_failure_elsewhere_while_a_sync_is_in_flight_keeps_the_commits_that_sync_acknowledges()
    {
        var disk = new FaultInjectingStorage();
        var storage = new FaultyStorage(disk);
        PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        Put(db, "t", ("kept", "1"));
        (HeldSync held, List<Task> commits) = AppendBehindHeldSync(db, storage, "a");
        WriteTransaction unchanged = db.BeginWrite(); // its snapshot holds "a": its commit waits for "a" to be durable
        db.Engine.Fail(new PageDbIOException(DbPath, "injected: a checkpoint failed beside the sync"));
        Task waiting = unchanged.CommitAsync(); // finds the engine failed while the sync of "a" is still in flight
        held.Release();
        await Task.WhenAll(commits); // "a" is acknowledged: its sync succeeded
        await Task.WhenAny(waiting);
        held.Dispose();
        db.Dispose();

        using PageDatabase reopened = PageDatabase.Open(DbPath, GroupOptions(disk));
        using ReadTransaction read = reopened.BeginRead();
        Assert.That(Text(read.GetTree("t").Get(Bytes("a"))), Is.EqualTo("1"), "the commit its sync acknowledged was lost");
    }

    [Test]
    public async Task A_blocking_leader_lets_the_committer_its_previous_sync_acknowledged_append_before_its_own_sync()
    {
        var storage = new FaultyStorage(new MemoryStorage());
        await using PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        db.Engine.Wal.Group.FixedGatherLimit = TimeSpan.FromMinutes(1);
        Put(db, "t", ("warm", "0"));
        using var held = new HeldSync(storage);
        // "a" leads the held sync; once acknowledged, its committer comes back with "d", late enough that a leader
        // which did not gather would have synced "b" alone by then.
        Task returning = Task.Run(() =>
        {
            Put(db, "t", ("a", "1"));
            Thread.Sleep(50);
            Put(db, "t", ("d", "1"));
        });
        held.WaitUntilInFlight();
        Task waiting = Task.Run(() => Put(db, "t", ("b", "1"))); // a blocking commit appended during the held sync
        WaitUntilAppended(db, "b");
        int walSyncsBefore = held.DataSyncs;
        held.Release();
        await Task.WhenAll(returning, waiting);
        Assert.That(held.DataSyncs - walSyncsBefore, Is.EqualTo(1),
            "the sync that acknowledged \"b\" waited for \"a\"'s committer to append \"d\" and acknowledged it too");
    }

    [Test]
    public async Task A_blocking_leader_gathers_at_most_a_sync_s_time_for_a_committer_that_does_not_come_back()
    {
        var storage = new FaultyStorage(new MemoryStorage());
        await using PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        Put(db, "t", ("warm", "0"));
        using var held = new HeldSync(storage);
        Task leader = Task.Run(() => Put(db, "t", ("a", "1")));
        held.WaitUntilInFlight();
        Task waiting = Task.Run(() => Put(db, "t", ("b", "1")));
        WaitUntilAppended(db, "b");
        held.Release();
        await leader;
        // Nobody commits after "a": "b"'s leader gathers for at most 1 ms, then syncs alone.
        await waiting.WaitAsync(TimeSpan.FromMinutes(1));
        using ReadTransaction read = db.BeginRead();
        Assert.That(Text(read.GetTree("t").Get(Bytes("b"))), Is.EqualTo("1"));
    }

    [Test]
    public async Task A_failure_while_a_leader_gathers_fails_its_commits_and_none_is_visible_after_reopen()
    {
        var disk = new FaultInjectingStorage();
        var storage = new FaultyStorage(disk);
        PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
        db.Engine.Wal.Group.FixedGatherLimit = TimeSpan.FromMinutes(1);
        Put(db, "t", ("kept", "1"));
        var held = new HeldSync(storage);
        Task leader = Task.Run(() => Put(db, "t", ("a", "1")));
        held.WaitUntilInFlight();
        Task waiting = Task.Run(() => Put(db, "t", ("b", "1")));
        WaitUntilAppended(db, "b");
        held.Release();
        await leader; // "a" is acknowledged and its committer does not come back: "b"'s leader gathers for a minute
        await Task.Delay(50); // a leader that did not gather would have synced "b" by then
        db.Engine.Fail(new PageDbIOException(DbPath, "injected: a checkpoint failed while the leader gathered"));
        Assert.ThrowsAsync<PageDbIOException>(() => waiting.WaitAsync(TimeSpan.FromMinutes(1)));
        held.Dispose();
        db.Dispose();

        using PageDatabase reopened = PageDatabase.Open(DbPath, GroupOptions(disk));
        using ReadTransaction read = reopened.BeginRead();
        Assert.That(Text(read.GetTree("t").Get(Bytes("a"))), Is.EqualTo("1"), "the acknowledged commit was lost");
        Assert.That(read.GetTree("t").Get(Bytes("b")), Is.Null, "a commit whose sync never ran is visible after reopen");
    }

    [Test]
    public async Task A_crash_between_append_and_sync_loses_only_unacknowledged_commits()
    {
        for (int seed = 0; seed < 10; seed++)
        {
            var disk = new FaultInjectingStorage();
            var storage = new FaultyStorage(disk);
            PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(storage));
            Put(db, "t", ("kept", "1"));
            (HeldSync held, List<Task> commits) = AppendBehindHeldSync(db, storage, "k0", "k1", "k2", "k3");
            disk.CrashAtCall = disk.Calls + 1; // the held sync is the next I/O call
            held.Release();
            foreach (Task commit in commits)
                Assert.That(async () => await commit, Throws.InstanceOf<PageDbIOException>(), $"crash seed {seed}");
            held.Dispose();
            disk.Crash(seed);
            AbandonAfterPowerLoss(db);

            using PageDatabase recovered = PageDatabase.Open(DbPath, GroupOptions(disk));
            using ReadTransaction read = recovered.BeginRead();
            Tree t = read.GetTree("t");
            Assert.That(Text(t.Get(Bytes("kept"))), Is.EqualTo("1"), $"the acknowledged commit was lost; crash seed {seed}");
            int survivors = (int)t.Count - 1;
            for (int i = 0; i < survivors; i++)
                Assert.That(t.Get(Bytes($"k{i}")), Is.Not.Null, $"recovery kept commits out of order ({survivors} of 4); crash seed {seed}");
        }
    }

    [Test]
    public void Acknowledged_commits_from_many_threads_all_survive_a_crash_at_a_random_point()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        for (int round = 0; round < 8; round++)
        {
            var disk = new FaultInjectingStorage();
            PageDatabase db = PageDatabase.Open(DbPath, GroupOptions(disk, checkpointThresholdBytes: 64 << 10));
            Put(db, "t", ("kept", "1"));
            disk.CrashAtCall = disk.Calls + random.Next(50, 1500);
            const int Threads = 4;
            var acknowledged = new List<string>[Threads];
            var workers = new Task[Threads];
            for (int w = 0; w < Threads; w++)
            {
                int worker = w;
                acknowledged[worker] = [];
                workers[worker] = Task.Run(() => CommitUntilFailure(db, worker, acknowledged[worker]));
            }
            Task.WaitAll(workers);
            int crashSeed = random.Next();
            disk.Crash(crashSeed);
            AbandonAfterPowerLoss(db);

            using PageDatabase recovered = PageDatabase.Open(DbPath, GroupOptions(disk));
            using ReadTransaction read = recovered.BeginRead();
            Tree t = read.GetTree("t");
            string context = $"round {round}, crash seed {crashSeed}, {TestSeed.Describe(seed)}";
            for (int w = 0; w < Threads; w++)
            {
                foreach (string key in acknowledged[w])
                    Assert.That(t.Get(Bytes(key)), Is.Not.Null, $"acknowledged commit {key} lost; {context}");
                int present = 0;
                while (t.Get(Bytes($"w{w}-{present}")) is not null)
                    present++;
                Assert.That(t.Get(Bytes($"w{w}-{present + 1}")), Is.Null, $"worker {w}'s commits survived out of order; {context}");
            }
            Assert.That(recovered.CheckIntegrity().IsOk, Is.True, context);
        }
    }

    /// <summary>
    /// Commits <paramref name="first"/> on a pool thread and holds its WAL sync in flight; then, with the writer slot
    /// free (BeginWrite would time out after 30 s otherwise), appends a commit of each of <paramref name="more"/>
    /// through CommitAsync. Returns the held sync and the commits, in commit order.
    /// </summary>
    private static (HeldSync Held, List<Task> Commits) AppendBehindHeldSync(PageDatabase db, FaultyStorage storage, string first, params string[] more)
    {
        var held = new HeldSync(storage);
        List<Task> commits = [Task.Run(() => Put(db, "t", (first, "1")))];
        held.WaitUntilInFlight();
        foreach (string key in more)
        {
            WriteTransaction tx = db.BeginWrite();
            tx.GetTree("t").Put(Bytes(key), Bytes(key));
            commits.Add(tx.CommitAsync());
        }
        return (held, commits);
    }

    /// <summary>Reopens the database on <paramref name="disk"/> and checks that "kept" alone is in it: no failed commit was recovered.</summary>
    private static PageDatabase ReopenWithOnlyKept(FaultInjectingStorage disk)
    {
        PageDatabase reopened = PageDatabase.Open(DbPath, GroupOptions(disk));
        using ReadTransaction read = reopened.BeginRead();
        Tree t = read.GetTree("t");
        Assert.That(Text(t.Get(Bytes("kept"))), Is.EqualTo("1"));
        Assert.That(t.Count, Is.EqualTo(1), "a commit that failed is visible after the reopen");
        return reopened;
    }

    /// <summary>Returns once a commit of <paramref name="key"/> is in the log (a writer sees appended commits), taking the writer slot to look.</summary>
    private static void WaitUntilAppended(PageDatabase db, string key)
    {
        while (true)
        {
            using WriteTransaction tx = db.BeginWrite();
            if (tx.GetTree("t").Get(Bytes(key)) is not null)
                return;
        }
    }

    /// <summary>One worker: one-row commits (every other one through CommitAsync) until the crash stops it.</summary>
    private static async Task CommitUntilFailure(PageDatabase db, int worker, List<string> acknowledged)
    {
        try
        {
            for (int i = 0; ; i++)
            {
                string key = $"w{worker}-{i}";
                WriteTransaction tx = await db.BeginWriteAsync();
                try
                {
                    tx.GetTree("t").Put(Bytes(key), new byte[40]);
                    if (i % 2 == 0)
                        await tx.CommitAsync();
                    else
                        tx.Commit();
                }
                finally
                {
                    await tx.DisposeAsync();
                }
                acknowledged.Add(key);
            }
        }
        catch (Exception e) when (e is PageDbIOException or SimulatedCrashException)
        {
            // The crash: every later commit fails too.
        }
    }

    private static PageDbOptions GroupOptions(IStorage storage, long checkpointThresholdBytes = 64 << 20) => new()
    {
        Storage = storage,
        Durability = Durability.Full,
        WriteLockTimeout = TimeSpan.FromSeconds(30),
        CheckpointThresholdBytes = checkpointThresholdBytes,
    };

    private static void AbandonAfterPowerLoss(PageDatabase db)
    {
        try
        {
            db.Dispose();
        }
        catch (Exception e) when (e is SimulatedCrashException or PageDbIOException)
        {
            // Its handles died with the power loss.
        }
    }

    /// <summary>Holds the next data sync of the WAL in flight (on its thread) until <see cref="Release"/>, and counts the WAL's data syncs.</summary>
    private sealed class HeldSync : IDisposable
    {
        private readonly FaultyStorage _storage;
        private readonly ManualResetEventSlim _inFlight = new();
        private readonly ManualResetEventSlim _released = new();
        private int _dataSyncs;
        private int _holding;

        public HeldSync(FaultyStorage storage)
        {
            _storage = storage;
            storage.BeforeSync = OnSync;
        }

        public int DataSyncs => Volatile.Read(ref _dataSyncs);

        public void WaitUntilInFlight() => Assert.That(_inFlight.Wait(TimeSpan.FromMinutes(1)), Is.True, "no WAL sync started");

        public void Release() => _released.Set();

        public void Dispose()
        {
            _storage.BeforeSync = null;
            _released.Set();
            _inFlight.Dispose();
            _released.Dispose();
        }

        private void OnSync(string path, bool includeMetadata)
        {
            if (path != WalPath || includeMetadata)
                return;
            Interlocked.Increment(ref _dataSyncs);
            if (Interlocked.Exchange(ref _holding, 1) != 0)
                return;
            _inFlight.Set();
            _released.Wait();
        }
    }
}
