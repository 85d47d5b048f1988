using PageDb.Engine;
using PageDb.Testing;

namespace PageDb.Replication.Tests;

/// <summary>
/// The replicator cuts a segment when its mark keeps the log from restarting (<see cref="ReplicationSource.HoldsLogBack"/>),
/// not only by time and size, so a heavy writer's log stays near its checkpoint threshold instead of growing by a whole
/// segment interval of commits; and the cheap lag figures (<see cref="PageDatabase.ReplicationStats"/>) are those
/// <see cref="PageDatabase.GetStats"/> reports.
/// </summary>
public sealed class HeldLogCutTests
{
    private const long Threshold = 64 << 10;

    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-heldlog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    /// <summary>
    /// A held snapshot holds the log back once the log is past its threshold and checkpointed up to the snapshot; a
    /// snapshot at the last commit does not (nothing follows it), nor one newer than an application's reader that
    /// holds the log further back (cutting would not let it restart).
    /// </summary>
    [Test]
    public void A_held_mark_holds_the_log_back_once_the_log_passes_its_threshold_and_is_copied_up_to_it()
    {
        using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, "db.pagedb"),
            new PageDbOptions { Durability = Durability.Normal, CheckpointThresholdBytes = Threshold });
        var source = new ReplicationSource(database);
        long n = 0;
        CommitLog.Commit(database, ++n);
        using (HeldSnapshot mark = source.Hold())
        {
            Assert.That(source.HoldsLogBack(mark), Is.False, "nothing committed after the mark");
            CommitLog.Commit(database, ++n);
            Assert.That(source.HoldsLogBack(mark), Is.False, "the log is below its threshold");
            // The background checkpointer copies up to the mark and no further; the log then grows past the threshold.
            ReplicatorTests.WaitUntil(() =>
            {
                CommitLog.Commit(database, ++n);
                return source.HoldsLogBack(mark);
            });
        }

        using (ReadTransaction older = database.BeginRead())
        {
            CommitLog.Commit(database, ++n);
            using HeldSnapshot mark = source.Hold();
            for (int i = 0; i < 2000; i++)
                CommitLog.Commit(database, ++n);
            Assert.That(database.GetStats().WalBytes, Is.GreaterThan(2 * Threshold), "the application's reader holds the log");
            Assert.That(source.HoldsLogBack(mark), Is.False, "an older reader holds the log back, not the mark");
        }

        using (HeldSnapshot latest = source.Hold())
            Assert.That(source.HoldsLogBack(latest), Is.False, "a mark at the last commit");
    }

    /// <summary>
    /// Under a nonstop writer, with a segment interval far longer than the test and segments never full, the mark
    /// holding the log past its threshold cuts segments (a twentieth of the interval apart), and the store holds a
    /// prefix of the commits that restores.
    /// </summary>
    [Test]
    public void A_nonstop_writer_gets_segments_cut_when_the_mark_holds_its_log_back_before_the_interval_passes()
    {
        string storePath = Path.Combine(_scratch, "store");
        var store = new FolderReplicaStore(storePath);
        TimeSpan interval = TimeSpan.FromSeconds(40); // cuts by the held log come every 2 s; the test gives up after 30 s
        long n = 0;
        using (PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, "source.pagedb"), new PageDbOptions
        {
            Durability = Durability.Normal,
            CheckpointThresholdBytes = Threshold,
            Replication = new ReplicationOptions { Store = store, SegmentInterval = interval, SegmentBytes = 1L << 40 },
        }))
        {
            ReplicatorTests.WaitUntil(() => database.ReplicationStats!.Generation is not null);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (database.ReplicationStats!.SegmentsShipped < 2)
            {
                CommitLog.Commit(database, ++n);
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "no segment was cut while the mark held the log back");
            }
        }

        RestoreResult result = PageDatabase.Restore(store, Path.Combine(_scratch, "restored.pagedb"));
        using PageDatabase restored = PageDatabase.Open(Path.Combine(_scratch, "restored.pagedb"));
        Assert.That(CommitLog.CommitOf(restored, "restored"), Is.EqualTo(n), "the close ships every commit");
        Assert.That(result.Segments, Is.GreaterThanOrEqualTo(2), "the two cuts while writing (and one at the close if commits followed them)");
    }

    /// <summary>
    /// The cheap figures equal <see cref="PageDatabase.GetStats"/>'s while the store fails (so neither moves between the
    /// two reads); null without replication; refused after the close.
    /// </summary>
    [Test]
    public void The_cheap_replication_stats_are_those_get_stats_reports_and_null_without_replication()
    {
        int seed = TestSeed.Next();
        var faulty = new FaultInjection.FaultInjectingReplicaStore(new FolderReplicaStore(Path.Combine(_scratch, "store")), seed);
        PageDatabase database = ReplicatorTests.OpenReplicated(faulty, Path.Combine(_scratch, "source.pagedb"));
        try
        {
            CommitLog.Commit(database, 1);
            ReplicatorTests.WaitUntil(() => database.ReplicationStats!.LagCommits == 0);
            faulty.FailureRate = 1;
            for (long n = 2; n <= 11; n++)
                CommitLog.Commit(database, n);
            ReplicatorTests.WaitUntil(() => database.ReplicationStats!.LastError is not null);

            ReplicationStats cheap = database.ReplicationStats!;
            ReplicationStats full = database.GetStats().Replication!;

            Assert.That(cheap.LagCommits, Is.EqualTo(10), TestSeed.Describe(seed));
            Assert.That(cheap.LagCommits, Is.EqualTo(full.LagCommits), TestSeed.Describe(seed));
            Assert.That(cheap.LagBytes, Is.EqualTo(full.LagBytes).And.GreaterThan(0), TestSeed.Describe(seed));
            Assert.That(cheap.LagTime, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(full.LagTime), TestSeed.Describe(seed));
            Assert.That((cheap.Destination, cheap.Generation, cheap.SegmentsShipped, cheap.LastShippedAt, cheap.GenerationsStarted),
                Is.EqualTo((full.Destination, full.Generation, full.SegmentsShipped, full.LastShippedAt, full.GenerationsStarted)), TestSeed.Describe(seed));
            Assert.That(cheap.LastError, Does.Contain("injected failure"), TestSeed.Describe(seed));
        }
        finally
        {
            faulty.FailureRate = 0;
            database.Dispose();
        }
        Assert.Throws<ObjectDisposedException>(() => _ = database.ReplicationStats);

        using PageDatabase plain = PageDatabase.Open(Path.Combine(_scratch, "plain.pagedb"));
        Assert.That(plain.ReplicationStats, Is.Null);
    }
}
