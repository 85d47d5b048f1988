using PageDb.Replication;

namespace PageDb.Cli.Tests.Commands;

/// <summary>
/// <c>pagedb stats &lt;db&gt;</c> on a database this test process replicates: the lag and the last error the
/// replicator publishes in its status file, with their age; "not running" without one, "unreadable" for a damaged one.
/// </summary>
public sealed class ReplicationStatusTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void Stats_on_a_replicating_database_show_the_lag_and_the_error_of_a_store_that_is_down_and_then_back()
    {
        string db = _run.File("live.pagedb");
        var store = new OutageStore(new FolderReplicaStore(_run.File("store")));
        string down, back;
        using (PageDatabase database = OpenReplicated(db, store))
        {
            Commit(database, "k0");
            WaitForStats(db, @"last error\s+none", @"lag commits\s+0\n");
            store.Down = true;
            Commit(database, "k1");
            Commit(database, "k2");
            down = WaitForStats(db, @"last error\s+the store is down", @"lag commits\s+2\n");
            store.Down = false;
            back = WaitForStats(db, @"last error\s+none", @"lag commits\s+0\n");
        }
        string closed = CliRun.Ok("stats", db).Out;

        Assert.That(down, Does.Match(@"as of\s+\d+\.\d s ago"));
        Assert.That(down, Does.Match(@"lag time\s+\d+\.\d s"));
        Assert.That(back, Does.Contain("generation"));
        Assert.That(back, Does.Match(@"at start\s+started a new generation: the store holds no generation to continue"), "the resume note");
        Assert.That(closed, Does.Contain("not running"));
    }

    [Test]
    public void Stats_with_a_garbage_status_file_say_it_is_unreadable_and_show_the_rest()
    {
        string db = _run.CreateSampleDatabase();
        File.WriteAllBytes(db + "-replica-status", [0x1b, (byte)'[', (byte)'2', (byte)'J', 0xff, 0xfe, 0]);

        string shown = CliRun.Ok("stats", db).Out;

        Assert.That(shown, Does.Contain("unreadable: sample.pagedb-replica-status: ").And.Contain("free pages").And.Not.Contain("\u001b"));
    }

    private static PageDatabase OpenReplicated(string path, IReplicaStore store) => PageDatabase.Open(path, new PageDbOptions
    {
        Replication = new ReplicationOptions { Store = store, SegmentInterval = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(50) },
    });

    private static void Commit(PageDatabase database, string key)
    {
        using WriteTransaction transaction = database.BeginWrite();
        transaction.GetOrCreateTree("kv").Put(System.Text.Encoding.UTF8.GetBytes(key), [1]);
        transaction.Commit();
    }

    /// <summary>Runs <c>pagedb stats</c> until its output matches every one of the patterns <paramref name="expected"/> (up to 30 s, not a timing assertion).</summary>
    private static string WaitForStats(string db, params string[] expected)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            string shown = CliRun.Ok("stats", db).Out;
            if (expected.All(pattern => System.Text.RegularExpressions.Regex.IsMatch(shown, pattern)))
                return shown;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"pagedb stats did not show {string.Join(", ", expected)} within 30 s; last:\n{shown}");
            Thread.Sleep(50);
        }
    }

    /// <summary>A store whose every call fails while <see cref="Down"/> is set.</summary>
    private sealed class OutageStore(IReplicaStore inner) : IReplicaStore
    {
        public volatile bool Down;

        public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default) =>
            Down ? Failed<bool>() : inner.PutAsync(key, content, cancellationToken);

        public Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default) =>
            Down ? Failed<bool>() : inner.TryGetAsync(key, destination, cancellationToken);

        public Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
            Down ? Failed<IReadOnlyList<ReplicaObject>>() : inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
            Down ? Failed<bool>() : inner.DeleteAsync(key, cancellationToken);

        private static Task<T> Failed<T>() => Task.FromException<T>(new IOException("the store is down"));
    }
}
