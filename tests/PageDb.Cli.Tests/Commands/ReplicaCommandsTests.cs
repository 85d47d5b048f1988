using PageDb.Replication;

namespace PageDb.Cli.Tests.Commands;

/// <summary>restore from a replica, replicas and follow, over a folder replica store (file:///...).</summary>
public sealed class ReplicaCommandsTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void A_replica_is_listed_restored_and_followed()
    {
        string store = _run.File("store");
        string url = new Uri(store).AbsoluteUri;
        ShipRows(store, _run.File("source.pagedb"), rows: 25);

        string listed = CliRun.Ok("replicas", url).Out;
        string restored = _run.File("restored.pagedb");
        string said = CliRun.Ok("restore", url, restored).Out;
        string followed = CliRun.Ok("follow", url, _run.File("replica.pagedb"), "--poll", "20", "--for", "0.2").Out;

        Assert.That(listed, Does.Contain("segments").And.Not.Contain("not restorable"));
        Assert.That(said, Does.StartWith("restored " + url));
        Assert.That(CliRun.Ok("get", restored, "kv", "k24").Out.Trim(), Is.EqualTo("v24"));
        Assert.That(followed, Does.Contain("following " + url));
        Assert.That(followed, Does.StartWith($"opened {_run.File("replica.pagedb")}: restored from scratch: there was no local file"));
    }

    [Test]
    public void Follow_resumes_the_replica_its_path_holds()
    {
        string store = _run.File("store");
        string url = new Uri(store).AbsoluteUri;
        string replica = _run.File("replica.pagedb");
        ShipRows(store, _run.File("source.pagedb"), rows: 5);
        CliRun.Ok("follow", url, replica, "--poll", "20", "--for", "0.1");
        ShipRows(store, _run.File("source.pagedb"), rows: 9);

        string followed = CliRun.Ok("follow", url, replica, "--poll", "20", "--for", "0.1").Out;

        Assert.That(followed, Does.StartWith($"opened {replica}: resumed generation "));
        Assert.That(CliRun.Ok("get", replica, "kv", "k8").Out.Trim(), Is.EqualTo("v8"));
    }

    [Test]
    public void Restore_from_a_replica_refuses_an_existing_database_without_force()
    {
        string store = _run.File("store");
        ShipRows(store, _run.File("source.pagedb"), rows: 3);
        string existing = _run.CreateSampleDatabase("existing.pagedb", rows: 7);

        string error = CliRun.Fails(ExitCodes.Failed, "restore", new Uri(store).AbsoluteUri, existing).Err;

        Assert.That(error, Does.Contain("--force"));
        Assert.That(CliRun.Ok("count", existing, "orders").Out.Trim(), Is.EqualTo("7"));
    }

    [Test]
    public void Restore_from_a_replica_at_a_time_gives_the_state_shipped_by_then()
    {
        string store = _run.File("store");
        string source = _run.File("source.pagedb");
        ShipRows(store, source, rows: 5); // k0..k4, all shipped by the clean close
        Thread.Sleep(5);
        string between = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        Thread.Sleep(5);
        ShipRows(store, source, rows: 8); // k0..k7 again (k5..k7 new), continuing the generation
        string url = new Uri(store).AbsoluteUri;
        string atTime = _run.File("at-time.pagedb"), latest = _run.File("latest.pagedb");

        CliRun.Ok("restore", url, atTime, "--at", between);
        CliRun.Ok("restore", url, latest);

        Assert.That(CliRun.Ok("get", atTime, "kv", "k4").Out.Trim(), Is.EqualTo("v4"));
        Assert.That(CliRun.Fails(ExitCodes.Failed, "get", atTime, "kv", "k5").Err, Does.Contain("not found"));
        Assert.That(CliRun.Ok("get", latest, "kv", "k7").Out.Trim(), Is.EqualTo("v7"));
    }

    [Test]
    public void Stats_with_a_replica_show_its_newest_generation_and_that_no_process_replicates_the_closed_database()
    {
        string store = _run.File("store");
        string source = _run.File("source.pagedb");
        ShipRows(store, source, rows: 5);
        string generation = PageDatabase.ListReplicaGenerationsAsync(new FolderReplicaStore(store)).GetAwaiter().GetResult()[^1].Name;

        string shown = CliRun.Ok("stats", source, "--replica", new Uri(store).AbsoluteUri).Out;
        string none = CliRun.Ok("stats", source, "--replica", new Uri(_run.File("empty")).AbsoluteUri).Out;

        Assert.That(shown, Does.Contain(generation).And.Contain("shipped through").And.Contain("not running"));
        Assert.That(none, Does.Contain("none restorable"));
    }

    private static void ShipRows(string store, string path, int rows) => ShipRows(new FolderReplicaStore(store), path, rows);

    /// <summary>Commits k0..k(rows-1) to tree "kv" of <paramref name="path"/>, replicated to <paramref name="store"/>, and closes it (which ships them all).</summary>
    internal static void ShipRows(IReplicaStore store, string path, int rows)
    {
        using var database = PageDatabase.Open(path, new PageDbOptions
        {
            Replication = new ReplicationOptions { Store = store, SegmentInterval = TimeSpan.FromMilliseconds(20) },
        });
        for (int i = 0; i < rows; i++)
        {
            using WriteTransaction transaction = database.BeginWrite();
            transaction.GetOrCreateTree("kv").Put(System.Text.Encoding.UTF8.GetBytes($"k{i}"), System.Text.Encoding.UTF8.GetBytes($"v{i}"));
            transaction.Commit();
        }
    }
}
