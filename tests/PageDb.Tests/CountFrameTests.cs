using System.Buffers.Binary;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;
using PageDb.Wal;
using static PageDb.Tests.QuietLog;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Count frames (WAL format version 4, <see cref="WalFormat"/> invariant 5): a one-row insert into a tree of two
/// levels changes a leaf and only the entry count in the root, so its commit logs one page frame and an 8-byte count
/// frame, not the root page too (issue #12, "one page per one-row commit"). The count must then read right for a new
/// reader, after a reopen (recovery), after a checkpoint (which writes it into the root in the database file) and in a
/// snapshot older than it; every database here is checked on dispose (<see cref="AssertIntact"/>), whose verifier
/// compares each root's recorded count with its leaves.
/// </summary>
public class CountFrameTests
{
    private static readonly TableSchema Rows = new("rows",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String), new Column("payload", ColumnType.String)],
        primaryKey: ["id"]);

    [Test]
    public void A_one_row_key_value_commit_into_a_two_level_tree_logs_one_page_frame()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = OpenQuiet(storage))
        {
            Write(db, tx => tx.CreateTree("kv"));
            AssertOneRowCommitLogsOnePageFrame(storage, db, "kv", 400,
                (tx, from, to) => PutRange(tx.GetTree("kv"), from, to), read => read.GetTree("kv").Count);
        }
        using (PageDatabase db = OpenQuiet(storage))
        {
            using ReadTransaction read = db.BeginRead();
            Assert.That(read.GetTree("kv").Count, Is.EqualTo(401), "after a reopen (the close checkpointed the count into the root)");
        }
    }

    [Test]
    public void A_one_row_table_insert_into_a_two_level_table_logs_one_page_frame()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenQuiet(storage);
        Write(db, tx => tx.CreateTable(Rows));
        AssertOneRowCommitLogsOnePageFrame(storage, db, "rows", 200,
            (tx, from, to) => InsertRange(tx.GetTable("rows"), from, to), read => read.GetTable("rows").Count);
    }

    [Test]
    public void Counts_logged_as_count_frames_are_recovered_after_a_power_loss([Values(1, 2, 3)] int seed)
    {
        var disk = new FaultInjectingStorage();
        PageDatabase crashed = OpenQuiet(disk, Durability.Full);
        Write(crashed, tx => tx.CreateTree("kv"));
        Write(crashed, tx => PutRange(tx.GetTree("kv"), 0, 400));
        for (int i = 400; i < 450; i++)
            Write(crashed, tx => PutRange(tx.GetTree("kv"), i, i + 1));
        disk.Crash(seed);
        try
        {
            crashed.Dispose();
        }
        catch (Exception e) when (e is SimulatedCrashException or PageDbIOException)
        {
            // Its handles died with the power loss.
        }

        using PageDatabase db = OpenQuiet(disk, Durability.Full);
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTree("kv").Count, Is.EqualTo(450), $"every acknowledged commit is recovered; crash seed {seed}");
    }

    /// <summary>
    /// A read-only open recovers the log on its own (as a reader process does, through the shm file), so it must
    /// build the root pages from their count frames too: each one, opened between one-row commits on real files, sees
    /// the count of the last commit, and keeps its snapshot's count while the writer goes on and checkpoints.
    /// </summary>
    [Test]
    public void A_read_only_open_beside_the_writer_reads_the_counts_of_count_frames()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-count-frames-").FullName;
        try
        {
            string path = Path.Combine(directory, "counts.pagedb");
            using PageDatabase writer = PageDatabase.Open(path, new PageDbOptions { Durability = Durability.Normal, CheckpointThresholdBytes = 256L << 20 });
            Write(writer, tx => PutRange(tx.GetOrCreateTree("kv"), 0, 400));
            var readers = new List<(PageDatabase Db, ReadTransaction Read, long Count)>();
            try
            {
                for (int i = 400; i < 420; i++)
                {
                    Write(writer, tx => PutRange(tx.GetTree("kv"), i, i + 1));
                    if (i % 5 == 4)
                        writer.Checkpoint(CheckpointMode.Passive); // held back by the readers: copies up to the oldest
                    PageDatabase reader = PageDatabase.Open(path, new PageDbOptions { ReadOnly = true, CreateIfMissing = false });
                    ReadTransaction read = reader.BeginRead();
                    readers.Add((reader, read, i + 1));
                    foreach ((_, ReadTransaction held, long count) in readers)
                        Assert.That(held.GetTree("kv").Count, Is.EqualTo(count), $"a reader opened after commit {count}, now at commit {i + 1}");
                }
                Assert.That(readers[^1].Db.CheckIntegrity().Problems, Is.Empty);
            }
            finally
            {
                foreach ((PageDatabase db, ReadTransaction read, _) in readers)
                {
                    read.Dispose();
                    db.Dispose();
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Random one-row puts and deletes into two trees, with readers holding old snapshots, checkpoints (passive ones
    /// that a reader holds back, so the log switches files and a count's base may be in the other generation) and
    /// reopens; every count read is compared with a model.
    /// </summary>
    [Test]
    public void Counts_match_a_model_across_readers_checkpoints_and_reopens([Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        var storage = new MemoryStorage();
        var model = new Dictionary<string, HashSet<int>> { ["a"] = [], ["b"] = [] };
        PageDatabase db = OpenQuiet(storage);
        try
        {
            Write(db, tx =>
            {
                tx.CreateTree("a");
                tx.CreateTree("b");
            });
            ReadTransaction? held = null;
            long heldCount = 0;
            for (int step = 0; step < 600; step++)
            {
                string tree = random.Next(2) == 0 ? "a" : "b";
                int key = random.Next(500);
                bool delete = random.Next(4) == 0;
                Write(db, tx =>
                {
                    if (delete)
                        tx.GetTree(tree).Delete(KeyOf(key));
                    else
                        tx.GetTree(tree).Put(KeyOf(key), new byte[40]);
                });
                if (delete)
                    model[tree].Remove(key);
                else
                    model[tree].Add(key);
                switch (random.Next(40))
                {
                    case 0:
                        held?.Dispose();
                        held = db.BeginRead();
                        heldCount = model["a"].Count;
                        break;
                    case 1:
                        db.Checkpoint(CheckpointMode.Passive);
                        break;
                    case 2:
                        held?.Dispose();
                        held = null;
                        db.Dispose();
                        db = OpenQuiet(storage);
                        break;
                }
                using ReadTransaction read = db.BeginRead();
                Assert.That(read.GetTree(tree).Count, Is.EqualTo(model[tree].Count), $"seed {seed}, step {step}");
                if (held is not null)
                    Assert.That(held.GetTree("a").Count, Is.EqualTo(heldCount), $"seed {seed}, step {step}: an older snapshot");
            }
            held?.Dispose();
        }
        finally
        {
            db.Dispose();
        }
    }

    /// <summary>
    /// Whether a page goes to the log as a count frame is decided by comparing it with the cached version it was copied
    /// from, which the commit drops right after: a look, not a cache hit. So a one-row commit whose pages were copied
    /// from versions in the file (nothing to base a count frame on, nothing compared) and the same commit over the
    /// versions the commit before it logged (both pages compared, the root logged as a count frame) count the same
    /// cache hits and misses (the pool's counters, which <see cref="PageDatabase.GetStats"/> reports). The look used to
    /// pin them as an access: two hits more for the second commit.
    /// </summary>
    [Test]
    public void Deciding_on_a_count_frame_counts_no_cache_hit()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenQuiet(storage);
        Write(db, tx => PutRange(tx.CreateTree("kv"), 0, 400));
        Assert.That(HeightOf(db, "kv"), Is.EqualTo(2));
        db.Checkpoint(CheckpointMode.Truncate); // the next commit copies its pages from the file's versions

        (long Hits, long Misses) overFile = default, overFrames = default;
        List<WalSurgery.Frame> fileFrames = FramesOf(storage, () => overFile = CommitCacheCounts(db, 400));
        List<WalSurgery.Frame> frames = FramesOf(storage, () => overFrames = CommitCacheCounts(db, 401));

        Assert.That(fileFrames.Count(frame => frame.IsCount), Is.Zero, Describe(fileFrames));
        Assert.That(frames.Count(frame => frame.IsCount), Is.EqualTo(1), Describe(frames));
        Assert.That(overFile.Hits, Is.GreaterThan(0), "the commit pins the pages it logs");
        Assert.That(overFrames, Is.EqualTo(overFile), "(hits, misses) of the commit itself, over frames vs over the file");
    }

    /// <summary>Puts key <paramref name="key"/> into "kv" and commits: the cache hits and misses of the commit alone.</summary>
    private static (long Hits, long Misses) CommitCacheCounts(PageDatabase db, int key)
    {
        using WriteTransaction tx = db.BeginWrite();
        PutRange(tx.GetTree("kv"), key, key + 1);
        Core.Buffers.BufferPoolStats before = db.Engine.Pool.Stats;
        tx.Commit();
        Core.Buffers.BufferPoolStats after = db.Engine.Pool.Stats;
        return (after.Hits - before.Hits, after.Misses - before.Misses);
    }

    private static void PutRange(Tree tree, int from, int to)
    {
        for (int i = from; i < to; i++)
            tree.Put(KeyOf(i), new byte[40]);
    }

    private static void InsertRange(Table table, int from, int to)
    {
        for (int i = from; i < to; i++)
            table.Insert(Row.Of((long)i, "row " + i, new string('x', 100)));
    }

    private static int HeightOf(PageDatabase db, string name) => db.GetStats().Trees.Single(tree => tree.Name == name).Height;

    /// <summary>
    /// Fills tree <paramref name="name"/> with <paramref name="rows"/> rows (two levels), then checks that a commit of
    /// one more row appends one page frame (the leaf) and one count frame (the root's count), and that the count reads right.
    /// </summary>
    private static void AssertOneRowCommitLogsOnePageFrame(MemoryStorage storage, PageDatabase db, string name, int rows,
        Action<WriteTransaction, int, int> insert, Func<ReadTransaction, long> count)
    {
        Write(db, tx => insert(tx, 0, rows));
        Assert.That(HeightOf(db, name), Is.EqualTo(2));

        List<WalSurgery.Frame> frames = FramesOf(storage, () => Write(db, tx => insert(tx, rows, rows + 1)));

        Assert.That(frames.Count(frame => !frame.IsCount), Is.EqualTo(1), Describe(frames));
        Assert.That(frames.Count(frame => frame.IsCount), Is.EqualTo(1), Describe(frames));
        using ReadTransaction read = db.BeginRead();
        Assert.That(count(read), Is.EqualTo(rows + 1));
    }
}
