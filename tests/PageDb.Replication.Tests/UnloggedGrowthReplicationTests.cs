using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using static PageDb.Tests.LatestSnapshotCounts;

namespace PageDb.Replication.Tests;

/// <summary>
/// WAL format 5 (docs/FORMAT.md, "Unlogged growth"): a commit that only grows the database does not log page 0, so
/// after such commits no page 0 of the log counts the database's pages. A restore (to the latest commit or one in the
/// middle), a read replica and a resumed generation must still give page 0 the size of the state they stand for, with
/// segments of one step or a step per commit (<see cref="ReplicationOptions.EveryCommit"/>).
/// </summary>
public sealed class UnloggedGrowthReplicationTests
{
    private const int GrowthCommits = 24;
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-unloggedgrowth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    /// <summary>
    /// After a generation's snapshot, commits of ascending rows that grow the file without logging page 0: a restore to
    /// the latest commit and to one in the middle each open, pass the integrity check and count exactly that commit's
    /// pages, in the restored file's header too; so does a read replica, and the reopened source continues its
    /// generation (its state hash, page 0 included, matches the last segment's).
    /// </summary>
    [Test]
    public void Restores_replicas_and_resumes_count_the_pages_of_commits_that_only_grew_the_file([Values] bool everyCommit)
    {
        var store = new FolderReplicaStore(Path.Combine(_scratch, "store"));
        string source = Target("source");
        var sizes = new List<uint>(); // the source's size after each commit of the generation (index 0: the snapshot)
        string generation;
        ReadReplica replica;
        using (PageDatabase database = ReplicatorTests.OpenReplicated(store, source, everyCommit: everyCommit))
        {
            generation = database.GetStats().Replication!.Generation!;
            // Open before the growth, so it applies the segments one by one (its state hash moved by their pages).
            replica = PageDatabase.OpenReplica(store, Target("replica"), TimeSpan.FromMilliseconds(20));
            sizes.Add(SizeOf(database));
            uint headerBefore = HeaderCount(database);
            for (int i = 0; i < GrowthCommits; i++)
            {
                using (WriteTransaction transaction = database.BeginWrite())
                {
                    transaction.GetOrCreateTree("kv").Put(KeyOf(i), Value(i));
                    transaction.Commit();
                }
                sizes.Add(SizeOf(database));
                if (i % 8 == 7)
                    ReplicatorTests.WaitUntilShipped(database); // several segments
            }
            ReplicatorTests.WaitUntilShipped(database);
            Assert.That(sizes[^1], Is.GreaterThan(sizes[0] + 4), "the commits grew the database");
            Assert.That(HeaderCount(database), Is.EqualTo(headerBefore).And.LessThan(sizes[^1]),
                "no commit since the snapshot logged page 0 with a new count (and no checkpoint stamped it)");
        }
        int middle = sizes.FindIndex(size => size > sizes[0] + 2);
        Assert.That(middle, Is.InRange(1, GrowthCommits - 1));

        RestoreResult latest = PageDatabase.Restore(store, Target("latest"));
        RestoreResult atMiddle = PageDatabase.Restore(store, Target("middle"), RestoreTarget.AtCommit(generation, middle));
        Assert.That(latest.Commits, Is.EqualTo(GrowthCommits));
        Assert.That(atMiddle.Commits, Is.EqualTo(everyCommit ? middle : atMiddle.Commits));
        AssertSound(Target("latest"), sizes[GrowthCommits], GrowthCommits, "restore to the latest commit");
        AssertSound(Target("middle"), sizes[(int)atMiddle.Commits], (int)atMiddle.Commits, $"restore to commit {middle}");

        using (replica)
        {
            ReplicatorTests.WaitUntil(() => replica.Commits == GrowthCommits);
            Assert.That(SizeOf(replica.Database), Is.EqualTo(sizes[^1]));
            Assert.That(replica.Database.CheckIntegrity().Problems, Is.Empty);
        }
        AssertSound(Target("replica"), sizes[^1], GrowthCommits, "read replica");
        using (ReadReplica reopened = PageDatabase.OpenReplica(store, Target("replica"), TimeSpan.FromMilliseconds(20)))
            Assert.That(reopened.Resume, Does.Not.Contain("from scratch"), "the replica's state hash matches its file");

        using (PageDatabase reopened = ReplicatorTests.OpenReplicated(store, source, everyCommit: everyCommit))
            Assert.That(reopened.GetStats().Replication!.Generation, Is.EqualTo(generation), "the source's state matches the last segment's hash");
    }

    /// <summary>
    /// The database at <paramref name="path"/> opens, passes the integrity check, has <paramref name="size"/> pages (in its
    /// file header as well, once closed) and holds the rows of the first <paramref name="commits"/> commits.
    /// </summary>
    private static void AssertSound(string path, uint size, int commits, string what)
    {
        using (PageDatabase database = PageDatabase.Open(path, new PageDbOptions { CreateIfMissing = false }))
        {
            Assert.That(SizeOf(database), Is.EqualTo(size), what);
            Assert.That(database.CheckIntegrity().Problems, Is.Empty, what);
            using ReadTransaction read = database.BeginRead();
            int rows = read.TryGetTree("kv", out Tree? tree) ? tree!.Range(null, null).Count() : 0;
            Assert.That(rows, Is.EqualTo(commits), what);
        }
        byte[] header = new byte[4096];
        using (FileStream file = File.OpenRead(path))
            file.ReadExactly(header);
        Assert.That(new FileHeaderPageReader(header).PageCount, Is.EqualTo(size), what + ": the file's header");
    }

    /// <summary>A 4-byte big-endian key: ascending <paramref name="i"/> sort ascending, so each row goes to the last leaf.</summary>
    private static byte[] KeyOf(int i)
    {
        byte[] key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    /// <summary>Large enough that every second row or so starts a new leaf at the end of the file.</summary>
    private static byte[] Value(int i) => Enumerable.Repeat((byte)i, 1800).ToArray();

    private string Target(string name) => Path.Combine(_scratch, name + ".pagedb");
}
