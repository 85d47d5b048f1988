using System.Buffers.Binary;
using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;

namespace PageDb.Replication.Tests;

/// <summary>
/// A step per commit cut from the pages the writer handed over (<see cref="CommitFrameQueue"/>) is byte for byte the
/// segment the same cut reads back from the log, whatever the commits: one-row and large ones, deletes, transactions
/// that spilled and committed or rolled back, checkpoints between them; and with a ring too small to hold a round's
/// records (the writer drops them, the cut reads those frames back) and wrapping around between cuts.
/// </summary>
public sealed class CommitFrameQueueTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-commitframes-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [TestCase(CommitFrameQueue.DefaultCapacity)]
    [TestCase(24 * 1024)]
    public void Segments_from_handed_over_pages_equal_segments_read_back_from_the_log(int capacity)
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        // 64 pages of cache: a transaction of a few hundred rows spills, and superseded versions get evicted.
        using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, "source.pagedb"), new PageDbOptions { Durability = Durability.Normal, CacheSizeBytes = 64 * 4096 });
        var source = new ReplicationSource(database);
        var queue = new CommitFrameQueue(source, capacity);
        Assert.That(source.TryObserveCommitFrames(queue));
        var handedHash = new DatabaseStateHash();
        var readBackHash = new DatabaseStateHash();
        var handedBuffer = new SegmentBuffer(0); // reused from cut to cut, as the replicator's
        var readBackBuffer = new SegmentBuffer(0);
        HeldSnapshot from = source.Hold();
        try
        {
            for (int round = 0; round < 12; round++)
            {
                for (int n = random.Next(5, 40); n > 0; n--)
                    RandomTransaction(database, random);
                using HeldSnapshot to = source.Hold();
                var info = new SegmentInfo(round + 1, 0, Noon, 0, 0);
                byte[] handed = SegmentCut.Encode(source, from, to, info, null, _ => Noon, handedHash, null, queue, handedBuffer).Bytes.ToArray();
                byte[] readBack = SegmentCut.Encode(source, from, to, info, null, _ => Noon, readBackHash, null, queue: null, readBackBuffer).Bytes.ToArray();
                Assert.That(handed, Is.EqualTo(readBack), $"round {round}, {TestSeed.Describe(seed)}");
                from.Dispose();
                from = source.Hold();
            }
        }
        finally
        {
            from.Dispose();
            source.StopObservingCommitFrames(queue);
        }
        Assert.That(queue.Rebuilt, Is.GreaterThan(0), "the cut used the handed-over pages, " + TestSeed.Describe(seed));
        if (capacity < CommitFrameQueue.DefaultCapacity)
            Assert.That(queue.Dropped, Is.GreaterThan(0), "the small ring overflowed, " + TestSeed.Describe(seed));
    }

    /// <summary>One-row commits, the common case: every frame is rebuilt from its record, none read back.</summary>
    [Test]
    public void One_row_commits_are_cut_from_the_handed_over_pages()
    {
        using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, "source.pagedb"), new PageDbOptions { Durability = Durability.Normal });
        var source = new ReplicationSource(database);
        var queue = new CommitFrameQueue(source);
        Assert.That(source.TryObserveCommitFrames(queue));
        Put(database, 0, new byte[100]); // the tree exists before the held state
        using HeldSnapshot from = source.Hold();
        for (int key = 1; key <= 500; key++)
            Put(database, key, new byte[100]);
        using HeldSnapshot to = source.Hold();
        var frames = new List<(FrameIndex Frame, PageDb.Core.Pages.PageNumber Page, uint CommitSize)>();
        source.CollectCommittedFrames(from, to.Mark, frames);

        SegmentCut.Encode(source, from, to, new SegmentInfo(1, 0, Noon, 0, 0), null, _ => Noon, new DatabaseStateHash(), null, queue, new SegmentBuffer(0));

        // A split's new pages, page 0 and a page whose version before is the database file's are handed over whole,
        // the others as their changed bytes: each one is rebuilt, none read back.
        Assert.That(queue.Rebuilt, Is.EqualTo(frames.Count));
        Assert.That(queue.Dropped, Is.Zero);
    }

    /// <summary>
    /// A ring smaller than two whole-page records is made that large: a ring of one record stopped taking records for
    /// good after its first (a record needs a whole page's room before the ring's end, or that room at its beginning).
    /// </summary>
    [Test]
    public void A_tiny_ring_keeps_taking_records_cut_after_cut()
    {
        using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, "source.pagedb"), new PageDbOptions { Durability = Durability.Normal });
        var source = new ReplicationSource(database);
        var queue = new CommitFrameQueue(source, capacity: 1);
        Assert.That(source.TryObserveCommitFrames(queue));
        HeldSnapshot from = source.Hold();
        try
        {
            // Commit 0 creates the tree (whole pages, which need not all fit); each later one-row commit's records do.
            for (int key = 0; key <= 3; key++)
            {
                long rebuilt = queue.Rebuilt;
                Put(database, key, new byte[100]);
                using HeldSnapshot to = source.Hold();
                SegmentCut.Encode(source, from, to, new SegmentInfo(key + 1, 0, Noon, 0, 0), null, _ => Noon, new DatabaseStateHash(), null, queue, new SegmentBuffer(0));
                if (key > 0)
                    Assert.That(queue.Rebuilt, Is.GreaterThan(rebuilt), $"commit {key}");
                from.Dispose();
                from = source.Hold();
            }
        }
        finally
        {
            from.Dispose();
        }
    }

    /// <summary>
    /// An observer that throws cannot fail a commit: the commit is in the log (below Full it may be published already)
    /// when the observer is called, so the commit returns normally and is visible, and the frames whose records the
    /// throws cost are read back by the cut, which still equals the read-back one.
    /// </summary>
    [Test]
    public void An_observer_that_throws_fails_no_commit_and_the_cut_reads_its_frames_back()
    {
        using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, "source.pagedb"), new PageDbOptions { Durability = Durability.Normal });
        var source = new ReplicationSource(database);
        var queue = new CommitFrameQueue(source);
        var throwing = new ThrowingObserver(queue);
        Assert.That(source.TryObserveCommitFrames(throwing));
        Put(database, 0, new byte[100]);
        using HeldSnapshot from = source.Hold();
        for (int key = 1; key <= 200; key++)
            Put(database, key, Value(key));
        using HeldSnapshot to = source.Hold();
        source.StopObservingCommitFrames(throwing);

        using (ReadTransaction read = database.BeginRead())
        {
            Tree tree = read.TryGetTree("kv", out Tree? found) ? found : throw new AssertionException("no tree");
            for (int key = 1; key <= 200; key++)
                Assert.That(tree.Get(Key(key)), Is.EqualTo(Value(key)), $"key {key}");
        }
        byte[] handed = SegmentCut.Encode(source, from, to, new SegmentInfo(1, 0, Noon, 0, 0), null, _ => Noon, new DatabaseStateHash(), null, queue, new SegmentBuffer(0)).Bytes.ToArray();
        byte[] readBack = SegmentCut.Encode(source, from, to, new SegmentInfo(1, 0, Noon, 0, 0), null, _ => Noon, new DatabaseStateHash(), null, queue: null, new SegmentBuffer(0)).Bytes.ToArray();
        Assert.That(throwing.Thrown, Is.GreaterThan(0));
        Assert.That(handed, Is.EqualTo(readBack));
        Assert.That(queue.Rebuilt, Is.GreaterThan(0), "the records added before a throw were still used");
    }

    /// <summary>Throws on every third frame before handing it to the queue and on every third after.</summary>
    private sealed class ThrowingObserver(CommitFrameQueue queue) : ICommitFrameObserver
    {
        private int _calls;

        public int Thrown { get; private set; }

        public void FrameLogged(PageDb.Core.Pages.PageNumber page, FrameIndex frame, ReadOnlySpan<byte> image, PageDb.Core.Buffers.PageKey? superseded, bool countOnly)
        {
            int call = _calls++;
            if (call % 3 == 0)
                Fail();
            queue.FrameLogged(page, frame, image, superseded, countOnly);
            if (call % 3 == 1)
                Fail();
        }

        private void Fail()
        {
            Thrown++;
            throw new InvalidOperationException("an observer's bug");
        }
    }

    private static byte[] Value(int key) => [.. Enumerable.Range(0, 100).Select(i => (byte)(key + i))];

    /// <summary>
    /// Handing pages over leaves the cache as it was: the queue's look at the version a page was copied from (dropped
    /// from the pool moments later) counts no hit and refreshes nothing for eviction, so the cache statistics of the
    /// same commits are the same with and without an observer.
    /// </summary>
    [Test]
    public void Handing_pages_over_leaves_the_cache_statistics_unchanged()
    {
        (long Hits, long Misses, long Evictions) Run(string name, bool observed)
        {
            // No background checkpoints: the same commits take the same path through the pool in both databases.
            var options = new PageDbOptions { Durability = Durability.Normal, CacheSizeBytes = 64 * 4096, BackgroundCheckpoints = false };
            using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, name), options);
            var source = new ReplicationSource(database);
            var queue = new CommitFrameQueue(source);
            if (observed)
                Assert.That(source.TryObserveCommitFrames(queue));
            var random = new Random(3);
            for (int commit = 0; commit < 400; commit++)
                Put(database, random.Next(2000), new byte[random.Next(50, 300)]);
            if (observed)
                source.StopObservingCommitFrames(queue);
            DatabaseStats stats = database.GetStats();
            return (stats.CacheHits, stats.CacheMisses, stats.CacheEvictions);
        }

        (long Hits, long Misses, long Evictions) unobserved = Run("unobserved.pagedb", observed: false);
        (long Hits, long Misses, long Evictions) observed = Run("observed.pagedb", observed: true);
        Assert.That(unobserved.Hits, Is.GreaterThan(0));
        Assert.That(observed, Is.EqualTo(unobserved), "(hits, misses, evictions) with an observer vs without");
    }

    private static void RandomTransaction(PageDatabase database, Random random)
    {
        int kind = random.Next(100);
        if (kind < 5)
        {
            database.Checkpoint();
            return;
        }
        using WriteTransaction transaction = database.BeginWrite();
        Tree tree = transaction.GetOrCreateTree("kv");
        int rows = kind < 75 ? 1 : kind < 85 ? random.Next(2, 20) : random.Next(200, 600);
        for (int i = 0; i < rows; i++)
        {
            byte[] key = Key(random.Next(3000));
            if (random.Next(6) == 0)
                tree.Delete(key);
            else
            {
                byte[] value = new byte[random.Next(10, random.Next(12) == 0 ? 2500 : 200)];
                random.NextBytes(value);
                tree.Put(key, value);
            }
        }
        if (kind < 93)
            transaction.Commit(); // otherwise rolled back: a large one spilled frames the next commit's cut must skip
    }

    private static void Put(PageDatabase database, int key, byte[] value)
    {
        using WriteTransaction transaction = database.BeginWrite();
        transaction.GetOrCreateTree("kv").Put(Key(key), value);
        transaction.Commit();
    }

    private static byte[] Key(int key)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, key);
        return bytes;
    }
}
