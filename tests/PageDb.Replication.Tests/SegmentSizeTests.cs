namespace PageDb.Replication.Tests;

/// <summary>
/// <see cref="ReplicationOptions.SegmentBytes"/> bounds what a segment holds under a step per commit too: a large value
/// rewritten many times within one interval is a whole set of pages per commit, not the same distinct pages once.
/// </summary>
public sealed class SegmentSizeTests
{
    private const long SegmentBytes = 1 << 20;
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-segmentsize-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void Rewrites_of_a_large_value_within_one_interval_are_cut_near_the_segment_size()
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        var random = new Random(1);
        const int Rewrites = 40;
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Path.Combine(_scratch, "source.pagedb"),
            segmentInterval: TimeSpan.FromHours(1), segmentBytes: SegmentBytes))
        {
            for (int n = 0; n < Rewrites; n++)
            {
                byte[] value = new byte[256 << 10]; // 64 overflow pages of random bytes: whole images, rewritten each time
                random.NextBytes(value);
                using (WriteTransaction transaction = database.BeginWrite())
                {
                    transaction.GetOrCreateTree("kv").Put("big"u8.ToArray(), value);
                    transaction.Commit();
                }
                // At most one commit past a segment's worth waits (4 of these are 1 MiB): the cut follows the commits
                // even when a busy machine runs the replicator late, so a segment too large is the size rule's fault.
                ReplicatorTests.WaitUntil(() => database.GetStats().Replication!.LagCommits <= 5);
            }
        }

        List<long> segments = [.. store.ListAsync("").GetAwaiter().GetResult().Where(o => o.Key.EndsWith(".segment", StringComparison.Ordinal)).Select(o => o.Size)];
        // 40 rewrites of 256 KiB are some 10 MiB of steps: cut into segments near 1 MiB, not one of 10 MiB (the
        // distinct pages, 64 of them, never reached the segment size). Slack for the commits of a poll or two.
        Assert.That(segments.Sum(), Is.GreaterThan(Rewrites * (256L << 10)), string.Join(", ", segments));
        Assert.That(segments.Count, Is.GreaterThanOrEqualTo(5), string.Join(", ", segments));
        Assert.That(segments.Max(), Is.LessThan(4 * SegmentBytes), string.Join(", ", segments));
    }

    /// <summary>
    /// The commits made after a generation's snapshot was held count toward its first segment's size, also those made
    /// before the replicator's first poll after the snapshot was stored: counted from that poll, a writer that then
    /// waited for the replica (the lag pacing above, which stalled a CI run for 30 s so) waited for a cut the count
    /// never reached, until the interval (an hour here) passed.
    /// </summary>
    [Test]
    public void Commits_made_while_the_snapshot_is_stored_count_toward_the_first_segment_size()
    {
        var gate = new SnapshotGate(new FolderReplicaStore(Path.Combine(_scratch, "store")));
        var random = new Random(2);
        using PageDatabase database = ReplicatorTests.OpenReplicated(gate, Path.Combine(_scratch, "source.pagedb"),
            segmentInterval: TimeSpan.FromHours(1), segmentBytes: SegmentBytes, waitForGeneration: false);
        ReplicatorTests.WaitUntil(() => gate.Waiting); // the snapshot is held and copied; its put waits
        for (int n = 0; n < 5; n++) // 5 x 256 KiB: more than a segment's worth, every commit after the snapshot
        {
            byte[] value = new byte[256 << 10];
            random.NextBytes(value);
            using WriteTransaction transaction = database.BeginWrite();
            transaction.GetOrCreateTree("kv").Put("big"u8.ToArray(), value);
            transaction.Commit();
        }
        gate.Open();

        // Only the size rule can cut within the hour-long interval.
        ReplicatorTests.WaitUntilShipped(database);
        Assert.That(database.GetStats().Replication!.SegmentsShipped, Is.GreaterThanOrEqualTo(1));
    }
}
