namespace PageDb.Replication.Tests;

/// <summary>
/// A read replica reopened on its existing file (<c>PageDatabase.OpenReplica</c>) continues from the position recorded
/// beside it (<see cref="ReplicaPosition"/>) and fetches only the later segments, when the store's newest generation is
/// still the one it follows and the file is still the state the position records; anything else (a new generation, a
/// damaged, missing or stale position file, a file changed since) restores from scratch and says why in
/// <see cref="ReadReplica.Resume"/>. Every replica is checked against the commit model (<see cref="CommitLog"/>).
/// </summary>
public sealed class ReadReplicaResumeTests
{
    // Polls never run during a test's counting: the replica's open is what is measured.
    private static readonly TimeSpan NoPoll = TimeSpan.FromHours(1);

    private string _scratch = null!;
    private FolderReplicaStore _store = null!;
    private string _source = null!;
    private string _replica = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-resume-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
        _store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        _source = Path.Combine(_scratch, "source.pagedb");
        _replica = Path.Combine(_scratch, "replica.pagedb");
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void A_reopened_replica_fetches_only_the_segments_after_its_position()
    {
        ShipCommits(1, 5);
        Assert.That(OpenAndClose(_store), Does.StartWith("restored from scratch: there was no local file"));
        ReplicaPosition before = ReplicaPosition.TryRead(_replica, out string reason) ?? throw new AssertionException(reason);
        ShipCommits(6, 20);

        var counting = new CountingReplicaStore(_store);
        using ReadReplica replica = PageDatabase.OpenReplica(counting, _replica, NoPoll);

        ReplicaGeneration generation = PageDatabase.ListReplicaGenerationsAsync(_store).GetAwaiter().GetResult().Single();
        long later = generation.SegmentCount - before.Sequence;
        Assert.That(later, Is.GreaterThan(0), "the writer should have shipped segments after the replica closed");
        Assert.That(replica.Resume, Does.StartWith($"resumed generation {generation.Name} from the local file after object {before.Sequence}, then applied {later} later segments"));
        Assert.That(counting.Gets, Has.Count.EqualTo(later).And.None.EqualTo(generation.SnapshotKey), "the replica fetched more than the later segments");
        Assert.That(CommitLog.CommitOf(replica.Database, "resumed replica"), Is.EqualTo(20));
        Assert.That(replica.Commits, Is.EqualTo(20));
        Assert.That(replica.Database.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void A_new_generation_upstream_restores_from_scratch()
    {
        ShipCommits(1, 5);
        OpenAndClose(_store);
        string first = ReplicaPosition.TryRead(_replica, out _)!.Generation;
        // A commit made without replication: the reopened writer cannot continue the generation, so it starts a new one.
        using (PageDatabase unreplicated = PageDatabase.Open(_source))
            CommitLog.Commit(unreplicated, 6);
        ShipCommits(7, 10);

        using ReadReplica replica = PageDatabase.OpenReplica(_store, _replica, NoPoll);

        Assert.That(replica.Generation, Is.Not.EqualTo(first));
        Assert.That(replica.Resume, Does.StartWith($"restored from scratch: the store's newest generation is {replica.Generation}, the local file is at generation {first}"));
        Assert.That(CommitLog.CommitOf(replica.Database, "replica"), Is.EqualTo(10));
    }

    [TestCase("flip", "restored from scratch: its position file could not be used")]
    [TestCase("truncate", "restored from scratch: its position file could not be used")]
    [TestCase("delete", "restored from scratch: the replica has no position file")]
    public void A_damaged_or_missing_position_file_restores_from_scratch(string damage, string expected)
    {
        ShipCommits(1, 5);
        OpenAndClose(_store);
        ShipCommits(6, 8);
        string file = ReplicaPosition.PathFor(_replica);
        byte[] bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "flip":
                bytes[20] ^= 0x01; // the sequence
                File.WriteAllBytes(file, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(file, bytes[..^3]);
                break;
            default:
                File.Delete(file);
                break;
        }

        using ReadReplica replica = PageDatabase.OpenReplica(_store, _replica, NoPoll);

        Assert.That(replica.Resume, Does.StartWith(expected));
        Assert.That(CommitLog.CommitOf(replica.Database, "replica"), Is.EqualTo(8));
    }

    [Test]
    public void A_local_file_changed_since_restores_from_scratch()
    {
        ShipCommits(1, 5);
        OpenAndClose(_store);
        using (PageDatabase changed = PageDatabase.Open(_replica))
            CommitLog.Commit(changed, 6);

        using ReadReplica replica = PageDatabase.OpenReplica(_store, _replica, NoPoll);

        Assert.That(replica.Resume, Does.StartWith("restored from scratch: the local file is not the state its position file records"));
        Assert.That(CommitLog.CommitOf(replica.Database, "replica"), Is.EqualTo(5), "the commit made on the replica's file must be gone");
    }

    [Test]
    public void A_stale_position_file_restores_from_scratch()
    {
        ShipCommits(1, 5);
        OpenAndClose(_store);
        byte[] stale = File.ReadAllBytes(ReplicaPosition.PathFor(_replica));
        ShipCommits(6, 10);
        Assert.That(OpenAndClose(_store), Does.StartWith("resumed"));
        File.WriteAllBytes(ReplicaPosition.PathFor(_replica), stale);

        using ReadReplica replica = PageDatabase.OpenReplica(_store, _replica, NoPoll);

        Assert.That(replica.Resume, Does.StartWith("restored from scratch: the local file is not the state its position file records"));
        Assert.That(CommitLog.CommitOf(replica.Database, "replica"), Is.EqualTo(10));
    }

    [Test]
    public void A_resumed_replica_follows_new_segments_and_resumes_again()
    {
        ShipCommits(1, 3);
        OpenAndClose(_store);
        using (PageDatabase writer = ReplicatorTests.OpenReplicated(_store, _source))
        {
            using (ReadReplica replica = PageDatabase.OpenReplica(_store, _replica, TimeSpan.FromMilliseconds(20)))
            {
                Assert.That(replica.Resume, Does.StartWith("resumed"));
                for (long n = 4; n <= 12; n++)
                    CommitLog.Commit(writer, n);
                ReplicatorTests.WaitUntilShipped(writer);
                ReplicatorTests.WaitUntil(() => CommitLog.CommitOf(replica.Database, "replica") == 12);
                Assert.That(replica.LastError, Is.Null);
            }
        }

        var counting = new CountingReplicaStore(_store);
        using ReadReplica reopened = PageDatabase.OpenReplica(counting, _replica, NoPoll);

        Assert.That(reopened.Resume, Does.StartWith("resumed"));
        Assert.That(counting.Gets, Has.Count.LessThanOrEqualTo(1), "only a segment cut at the writer's close may be new");
        Assert.That(CommitLog.CommitOf(reopened.Database, "replica"), Is.EqualTo(12));
    }

    /// <summary>Commits <paramref name="first"/>..<paramref name="last"/> through a replicated writer, each batch shipped, then closes it.</summary>
    private void ShipCommits(long first, long last)
    {
        using PageDatabase writer = ReplicatorTests.OpenReplicated(_store, _source);
        for (long n = first; n <= last; n++)
        {
            CommitLog.Commit(writer, n);
            if (n % 3 == 0)
                ReplicatorTests.WaitUntilShipped(writer);
        }
        ReplicatorTests.WaitUntilShipped(writer);
    }

    /// <summary>Opens the replica, checks it holds the store's latest commit, closes it; returns how it was opened.</summary>
    private string OpenAndClose(IReplicaStore store)
    {
        using ReadReplica replica = PageDatabase.OpenReplica(store, _replica, NoPoll);
        Assert.That(CommitLog.CommitOf(replica.Database, "replica"), Is.EqualTo(replica.Commits));
        return replica.Resume;
    }
}
