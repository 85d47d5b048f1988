namespace PageDb.Replication.Tests;

/// <summary>
/// The replica's lag under steady writes, measured by position: for every acknowledged commit, the first segment
/// holding it (by the commit count in its header) and when that segment landed in the store (the file's write time).
/// The bound is the segment interval plus slack; the slack here is generous (a loaded 2-core CI machine
/// syncs slowly), so the test catches a replicator that stalls or ships only at close, not a slow disk.
/// </summary>
public sealed class ReplicationLagTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-lag-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void Under_steady_writes_every_commit_reaches_the_store_within_the_segment_interval_plus_slack()
    {
        string storePath = Path.Combine(_scratch, "store");
        var store = new FolderReplicaStore(storePath);
        var acknowledgedAt = new List<DateTime> { DateTime.MinValue }; // [n] = when commit n returned
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Path.Combine(_scratch, "source.pagedb"), segmentInterval: Interval))
        {
            DateTime until = DateTime.UtcNow.AddSeconds(2);
            for (long n = 1; DateTime.UtcNow < until; n++)
            {
                CommitLog.Commit(database, n);
                acknowledgedAt.Add(DateTime.UtcNow);
                if (n % 20 == 0)
                    Thread.Sleep(1); // steady, not flat out: the point is the lag, not the throughput
            }
            // Not a clean close's last step: every commit must have been shipped by the cuts themselves.
            ReplicatorTests.WaitUntilShipped(database);
        }

        List<(long Commits, DateTime StoredAt)> segments = SegmentsOfTheOnlyGeneration(store, storePath);
        var lags = new List<TimeSpan>();
        int segment = 0;
        for (int n = 1; n < acknowledgedAt.Count; n++)
        {
            while (segments[segment].Commits < n)
                segment++;
            lags.Add(segments[segment].StoredAt - acknowledgedAt[n]);
        }
        lags.Sort();
        string figures = $"{lags.Count} commits in {segments.Count} segments; lag p50 {lags[lags.Count / 2].TotalMilliseconds:F0} ms, p99 {lags[lags.Count * 99 / 100].TotalMilliseconds:F0} ms, max {lags[^1].TotalMilliseconds:F0} ms";
        TestContext.Out.WriteLine(figures);

        Assert.That(segments, Has.Count.GreaterThanOrEqualTo(3), figures);
        Assert.That(lags[^1], Is.LessThanOrEqualTo(Interval + Slack), figures);
    }

    /// <summary>Each segment's commit count (from its header) and when its file was written, in sequence order.</summary>
    private static List<(long Commits, DateTime StoredAt)> SegmentsOfTheOnlyGeneration(FolderReplicaStore store, string storePath)
    {
        ReplicaGeneration generation = ReplicaNames.Parse(store.ListAsync("").GetAwaiter().GetResult()).Single();
        var segments = new List<(long, DateTime)>();
        for (long sequence = 1; generation.SegmentsAt(sequence).FirstOrDefault() is { Key: not null } name; sequence++)
        {
            using var content = new MemoryStream();
            Assert.That(store.TryGetAsync(name.Key, content).GetAwaiter().GetResult());
            Segment decoded = SegmentFormat.Decode(content.ToArray(), name.Key, 4096);
            segments.Add((decoded.Info.Commits, File.GetLastWriteTimeUtc(Path.Combine(storePath, name.Key))));
        }
        return segments;
    }
}
