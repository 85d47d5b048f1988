using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Replication.Tests;

/// <summary>
/// Segments of format version 3 shipped with <see cref="ReplicationOptions.EveryCommit"/> (the default) carry their
/// commits one by one (<see cref="SegmentFormat"/>), so a restore stops at
/// exactly the commit asked for, or at the last commit made by a point in time, and a damaged page inside a segment
/// whose checksum holds stops a restore or a replica at the commit before it; segments of versions 1 and 2 still
/// restore, whole.
/// </summary>
public sealed class CommitRestoreTests
{
    private const string TreeName = "kv";
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-commitrestore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    /// <summary>
    /// Random puts and deletes, a model of the state after every acknowledged commit; restores to random commit numbers
    /// equal the model at exactly that commit, and restores to random times equal the model at the commit they report,
    /// which was begun by then, with every commit acknowledged well before then included.
    /// </summary>
    [Test]
    public void Restore_to_any_commit_or_time_matches_the_model_at_that_commit()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        var model = new SortedDictionary<int, byte[]>();
        var states = new List<KeyValuePair<int, byte[]>[]> { Array.Empty<KeyValuePair<int, byte[]>>() };
        var begun = new List<DateTimeOffset> { DateTimeOffset.MinValue };
        var acknowledged = new List<DateTimeOffset> { DateTimeOffset.MinValue };
        string generation;
        const int Commits = 240;
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Target("source"), segmentInterval: TimeSpan.FromMilliseconds(60)))
        {
            generation = database.GetStats().Replication!.Generation!;
            for (int n = 1; n <= Commits; n++)
            {
                begun.Add(DateTimeOffset.UtcNow);
                using (WriteTransaction transaction = database.BeginWrite())
                {
                    Tree tree = transaction.GetOrCreateTree(TreeName);
                    for (int op = random.Next(1, 6); op > 0; op--)
                    {
                        int key = random.Next(400);
                        // The last operation always puts a new value: a commit that changes nothing logs nothing, so the
                        // generation would not count it.
                        if (random.Next(4) == 0 && op > 1)
                        {
                            tree.Delete(Key(key));
                            model.Remove(key);
                        }
                        else
                        {
                            byte[] value = new byte[random.Next(8, random.Next(10) == 0 ? 3000 : 200)];
                            random.NextBytes(value);
                            tree.Put(Key(key), value);
                            model[key] = value;
                        }
                    }
                    transaction.Commit();
                }
                acknowledged.Add(DateTimeOffset.UtcNow);
                states.Add([.. model]);
                if (random.Next(8) == 0)
                    Thread.Sleep(random.Next(5, 40)); // commits spread over many polls and segments
            }
            Assert.That(database.GetStats().Replication!.Generation, Is.EqualTo(generation), TestSeed.Describe(seed));
        }
        int segments = ReplicaNames.Parse(store.ListAsync("").GetAwaiter().GetResult()).Single().SegmentCount;
        Assert.That(segments, Is.GreaterThan(3), "commits spread over several segments, " + TestSeed.Describe(seed));

        int restores = 0;
        foreach (int commit in new[] { 0, 1, Commits }.Concat(Enumerable.Range(0, 7).Select(_ => random.Next(Commits + 1))))
        {
            AssertRestoresExactly(store, generation, commit, states[commit], Target($"at-commit-{restores++}"), seed);
        }
        for (int i = 0; i < 6; i++)
        {
            DateTimeOffset time = begun[1] + ((acknowledged[Commits] - begun[1]) * random.NextDouble());
            string path = Target($"at-time-{restores++}");
            RestoreResult result = PageDatabase.Restore(store, path, RestoreTarget.AtTime(time));

            long commit = result.Commits;
            string context = $"restore at {time:O} gave commit {commit}, {TestSeed.Describe(seed)}";
            Assert.That(Contents(path), Is.EqualTo(states[(int)commit]), context);
            Assert.That(result.ShippedAt, Is.LessThanOrEqualTo(time), context);
            Assert.That(begun[(int)commit], Is.LessThanOrEqualTo(time), "never a commit begun after the time: " + context);
            // The replicator notes commits every 20 ms; 2 s leaves room for a loaded machine, not a timing assertion.
            int surelyBefore = acknowledged.FindLastIndex(t => t <= time - TimeSpan.FromSeconds(2));
            Assert.That(commit, Is.GreaterThanOrEqualTo(Math.Max(surelyBefore, 0)), "every commit acknowledged well before the time: " + context);
        }
    }

    /// <summary>
    /// With <see cref="ReplicationOptions.EveryCommit"/> (the default), a transaction large enough to spill pages into the log and then
    /// rolled back ships nothing: its frames keep their indexes in the log's index, and the small commit after it
    /// overwrites only the first of them, so a cut that took every frame between two commits shipped the rolled-back
    /// pages as the next commit's. With the log restarted between the rollback and the next commit (the rolled-back
    /// frames forgotten), such a cut failed on every attempt and replication stalled. Restores at every commit equal
    /// the model.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void A_rolled_back_transaction_that_spilled_ships_nothing(bool restartTheLogBetween)
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        var model = new SortedDictionary<int, byte[]>();
        var states = new List<KeyValuePair<int, byte[]>[]> { Array.Empty<KeyValuePair<int, byte[]>>() };
        string generation;
        // 64 pages of cache: a transaction spills once it holds 48 private pages.
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Target("source"), segmentInterval: TimeSpan.FromMilliseconds(40), cacheSizeBytes: 64 * 4096))
        {
            generation = database.GetStats().Replication!.Generation!;
            void Commit(IEnumerable<int> keys)
            {
                using (WriteTransaction transaction = database.BeginWrite())
                {
                    Tree tree = transaction.GetOrCreateTree(TreeName);
                    foreach (int key in keys)
                    {
                        byte[] value = new byte[random.Next(60, 140)];
                        random.NextBytes(value);
                        tree.Put(Key(key), value);
                        model[key] = value;
                    }
                    transaction.Commit();
                }
                states.Add([.. model]);
            }
            for (int part = 0; part < 5; part++)
                Commit(Enumerable.Range(part * 500, 500)); // some 80 leaves
            ReplicatorTests.WaitUntilShipped(database);
            long logBefore = database.GetStats().WalBytes;
            using (WriteTransaction rolledBack = database.BeginWrite())
            {
                Tree tree = rolledBack.GetOrCreateTree(TreeName);
                for (int key = 0; key < 2500; key++)
                    tree.Put(Key(key), new byte[random.Next(60, 140)]); // every leaf: spills, page 0 maybe too
                Assert.That(database.GetStats().WalBytes - logBefore, Is.GreaterThan(24 * 4096), "the transaction spilled, " + TestSeed.Describe(seed));
            }
            if (restartTheLogBetween)
            {
                database.Checkpoint();
                Assert.That(database.GetStats().WalBytes, Is.LessThan(8 * 4096), "the log restarted, " + TestSeed.Describe(seed));
            }
            Commit([random.Next(2500)]);
            Commit([random.Next(2500), random.Next(2500)]);
            ReplicatorTests.WaitUntilShipped(database);
        }
        for (int commit = 0; commit < states.Count; commit++)
        {
            AssertRestoresExactly(store, generation, commit, states[commit], Target($"at-commit-{commit}"), seed);
        }
    }

    /// <summary>
    /// A page damaged inside a segment whose object checksum holds (the source shipped a bad page): restore stops at
    /// the commit before the one that wrote it and says which, and a read replica serves that state and reports it,
    /// and resumes from it when reopened.
    /// </summary>
    [Test]
    public void A_damaged_page_inside_a_good_segment_stops_restore_and_replica_at_the_commit_before_it()
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        // An hour's interval: the close cuts the only segment, holding all 40 commits.
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, Target("source"), segmentInterval: TimeSpan.FromHours(1)))
        {
            for (long n = 1; n <= 40; n++)
                CommitLog.Commit(database, n);
        }
        ReplicaGeneration generation = ReplicaNames.Parse(store.ListAsync("").GetAwaiter().GetResult()).Single();
        SegmentName name = generation.SegmentsAt(1).Single();
        byte[] bytes = ReadObject(store, name.Key);
        Segment segment = SegmentFormat.Decode(bytes, name.Key, 4096);
        Assert.That(segment.Steps, Has.Count.EqualTo(40), "one step per commit");

        PageRecord damaged = segment.Steps[24].Pages[^1];
        DamageAndSealAgain(store, generation, name, bytes, segment, damaged);

        RestoreResult result = PageDatabase.Restore(store, Target("restored"));

        using (PageDatabase restored = PageDatabase.Open(Target("restored")))
            Assert.That(CommitLog.CommitOf(restored, "restored"), Is.EqualTo(24));
        Assert.That(result.Commits, Is.EqualTo(24));
        Assert.That(result.Segments, Is.Zero, "the segment was applied in part");
        Assert.That(result.StoppedEarly, Does.Contain("commit 25").And.Contain($"page {damaged.Page.Value}"));

        using (ReadReplica replica = PageDatabase.OpenReplica(store, Target("replica"), TimeSpan.FromMilliseconds(20)))
        {
            long polls = replica.Polls;
            ReplicatorTests.WaitUntil(() => replica.Polls >= polls + 2);
            Assert.That(CommitLog.CommitOf(replica.Database, "replica"), Is.EqualTo(24));
            Assert.That(replica.Commits, Is.EqualTo(24));
            Assert.That(replica.LastError, Does.Contain("commit 25"));
        }

        // Its position file records the last good commit inside the segment: a reopen resumes there.
        using (ReadReplica reopened = PageDatabase.OpenReplica(store, Target("replica"), TimeSpan.FromMilliseconds(20)))
        {
            Assert.That(reopened.Resume, Does.StartWith("resumed"));
            Assert.That(CommitLog.CommitOf(reopened.Database, "replica"), Is.EqualTo(24));
            Assert.That(reopened.Commits, Is.EqualTo(24));
        }
    }

    /// <summary>
    /// Without <see cref="ReplicationOptions.EveryCommit"/> a segment is one step: a damaged page inside it (under a good
    /// checksum) stops the restore at the end of the segment before, saying which commit range and page, instead of
    /// throwing.
    /// </summary>
    [Test]
    public void A_damaged_page_inside_a_one_step_segment_stops_restore_at_the_segment_before_it()
    {
        FolderReplicaStore store = ShipThirtyCommitsInSegments();
        ReplicaGeneration generation = ReplicaNames.Parse(store.ListAsync("").GetAwaiter().GetResult()).Single();
        SegmentName name = generation.SegmentsAt(2).Single();
        byte[] bytes = ReadObject(store, name.Key);
        Segment segment = SegmentFormat.Decode(bytes, name.Key, 4096);
        long before = SegmentFormat.Decode(ReadObject(store, generation.SegmentsAt(1).Single().Key), "1", 4096).Info.Commits;
        Assert.That(segment.Steps, Has.Count.EqualTo(1));
        DamageAndSealAgain(store, generation, name, bytes, segment, segment.Steps[0].Pages[^1]);

        RestoreResult result = PageDatabase.Restore(store, Target("restored"));

        using (PageDatabase restored = PageDatabase.Open(Target("restored")))
            Assert.That(CommitLog.CommitOf(restored, "restored"), Is.EqualTo(before));
        Assert.That(result.Commits, Is.EqualTo(before));
        Assert.That(result.Segments, Is.EqualTo(1));
        Assert.That(result.StoppedEarly, Does.Contain($"{segment.Info.Commits} of segment").And.Contain(before + 1 == segment.Info.Commits ? "commit " : $"the commits {before + 1} to").And.Contain("checksum"));
    }

    /// <summary>Ships 30 commits (one step per segment), waiting after every 10 so they land in several segments.</summary>
    private FolderReplicaStore ShipThirtyCommitsInSegments()
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        using PageDatabase database = ReplicatorTests.OpenReplicated(store, Target("source"), everyCommit: false);
        for (long n = 1; n <= 30; n++)
        {
            CommitLog.Commit(database, n);
            if (n % 10 == 0)
                ReplicatorTests.WaitUntilShipped(database);
        }
        return store;
    }

    /// <summary>Flips a byte of <paramref name="damaged"/>'s payload and stores the object sealed again, as a buggy source would have.</summary>
    private static void DamageAndSealAgain(FolderReplicaStore store, ReplicaGeneration generation, SegmentName name, byte[] bytes, Segment segment, PageRecord damaged)
    {
        Assert.That(MemoryMarshal.TryGetArray(damaged.Payload, out ArraySegment<byte> payload));
        bytes[payload.Offset + (damaged.IsDelta ? 4 : 200)] ^= 0x20;
        ulong checksum = XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), checksum);
        store.DeleteAsync(name.Key).GetAwaiter().GetResult();
        store.PutAsync(ReplicaNames.SegmentKey(generation.Name, segment.Info, checksum), new MemoryStream(bytes)).GetAwaiter().GetResult();
    }

    /// <summary>
    /// A store written by builds before format version 3 (segments of versions 1 and 2, built here from a real
    /// generation) restores as it did: whole segments, so a commit target stops at the last segment boundary before it.
    /// </summary>
    [Test]
    public void Segments_of_format_versions_1_and_2_still_restore_whole()
    {
        FolderReplicaStore store = ShipThirtyCommitsInSegments();
        (string generation, List<long> boundaries) = RewriteInOlderVersions(store);
        Assert.That(boundaries, Has.Count.GreaterThanOrEqualTo(3).And.Contains(30L));

        RestoreResult latest = PageDatabase.Restore(store, Target("latest"));
        RestoreResult middle = PageDatabase.Restore(store, Target("middle"), RestoreTarget.AtCommit(generation, 15));

        using (PageDatabase restored = PageDatabase.Open(Target("latest")))
            Assert.That(CommitLog.CommitOf(restored, "latest"), Is.EqualTo(30));
        Assert.That(latest.StoppedEarly, Is.Null);
        Assert.That(latest.Segments, Is.EqualTo(boundaries.Count));
        long expected = boundaries.Where(b => b <= 15).DefaultIfEmpty(0).Max();
        using (PageDatabase restored = PageDatabase.Open(Target("middle")))
            Assert.That(CommitLog.CommitOf(restored, "at commit 15"), Is.EqualTo(expected).And.EqualTo(middle.Commits));
    }

    /// <summary>
    /// Rewrites the only generation's segments as the builds before version 3 did: each the distinct pages its commits
    /// wrote (and the header page) as they stand after them, sequence 1 in version 1 and the rest in version 2, chained
    /// anew. Returns the generation and each segment's commit count.
    /// </summary>
    private static (string Generation, List<long> Boundaries) RewriteInOlderVersions(FolderReplicaStore store)
    {
        ReplicaGeneration generation = ReplicaNames.Parse(store.ListAsync("").GetAwaiter().GetResult()).Single();
        byte[] snapshot = ReadObject(store, generation.SnapshotKey!);
        List<byte[]> pages = [.. snapshot.Chunk(4096)];
        ulong previous = generation.SnapshotChecksum;
        var boundaries = new List<long>();
        for (long sequence = 1; generation.SegmentsAt(sequence).FirstOrDefault() is { Key: not null } name; sequence++)
        {
            Segment segment = SegmentFormat.Decode(ReadObject(store, name.Key), name.Key, 4096);
            var touched = new SortedSet<uint> { 0 };
            foreach (SegmentStep step in segment.Steps)
            {
                while (pages.Count < step.DatabaseSize)
                    pages.Add(new byte[4096]);
                pages.RemoveRange((int)step.DatabaseSize, pages.Count - (int)step.DatabaseSize);
                foreach (PageRecord record in step.Pages)
                {
                    if (record.IsDelta)
                        Assert.That(PageDelta.TryApply(record.Payload.Span, pages[(int)record.Page.Value]), Is.Null);
                    else
                        pages[(int)record.Page.Value] = record.Payload.ToArray();
                    touched.Add(record.Page.Value);
                }
            }
            uint version = sequence == 1 ? 1u : 2u;
            SegmentInfo info = segment.Info with { Previous = previous, StateHash = version == 1 ? null : segment.Info.StateHash };
            byte[] older = SegmentFormatTests.OlderSegment(version, info, [.. touched.Where(p => p < info.DatabaseSize).Select(p => pages[(int)p])]);
            previous = XxHash64.HashToUInt64(older.AsSpan(0, older.Length - 8));
            store.DeleteAsync(name.Key).GetAwaiter().GetResult();
            store.PutAsync(ReplicaNames.SegmentKey(generation.Name, info, previous), new MemoryStream(older)).GetAwaiter().GetResult();
            boundaries.Add(info.Commits);
        }
        return (generation.Name, boundaries);
    }

    private static byte[] ReadObject(FolderReplicaStore store, string key)
    {
        using var content = new MemoryStream();
        Assert.That(store.TryGetAsync(key, content).GetAwaiter().GetResult(), key);
        return content.ToArray();
    }

    /// <summary>Restores <paramref name="generation"/> at <paramref name="commit"/> into <paramref name="path"/> and checks it holds exactly <paramref name="expected"/>.</summary>
    private static void AssertRestoresExactly(IReplicaStore store, string generation, int commit, KeyValuePair<int, byte[]>[] expected, string path, int seed)
    {
        RestoreResult result = PageDatabase.Restore(store, path, RestoreTarget.AtCommit(generation, commit));

        string context = $"restore at commit {commit}, {TestSeed.Describe(seed)}";
        Assert.That(result.Commits, Is.EqualTo(commit), context);
        Assert.That(result.StoppedEarly, Is.Null, context);
        Assert.That(Contents(path), Is.EqualTo(expected), context);
    }

    private static KeyValuePair<int, byte[]>[] Contents(string path)
    {
        using PageDatabase database = PageDatabase.Open(path);
        using ReadTransaction transaction = database.BeginRead();
        if (!transaction.TryGetTree(TreeName, out Tree? tree))
            return [];
        return [.. tree.Range(null, null).Select(e => new KeyValuePair<int, byte[]>(BinaryPrimitives.ReadInt32BigEndian(e.Key), e.Value))];
    }

    private static byte[] Key(int key)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, key);
        return bytes;
    }

    private string Target(string name) => Path.Combine(_scratch, name + ".pagedb");
}
