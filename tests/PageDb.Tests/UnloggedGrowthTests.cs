using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.LatestSnapshotCounts;
using static PageDb.Tests.QuietLog;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Unlogged growth (WAL format version 5, <see cref="WalFormat"/> invariant 6): a commit that only grows the database
/// does not log page 0 for its page count; the commit frame's database size is the count. So an append that starts a
/// new leaf logs the leaf and its parent, not also the file header (issue #12, W7's p99). The size must then come from
/// the last commit wherever page 0 becomes a file's header or the count is read: after recovery, in a read-only open
/// beside the writer, after a checkpoint (which writes it into the file's header), in a backup, in a header repaired
/// from the log. Every database here is checked on dispose (<see cref="AssertIntact"/>).
/// </summary>
public class UnloggedGrowthTests
{
    private const int PageSize = 4096;

    [Test]
    public void A_one_row_commit_that_grows_the_database_logs_no_header_frame()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenQuiet(storage);
        Write(db, tx => tx.CreateTree("kv"));
        int growths = 0;
        for (int i = 0; growths < 3; i++)
        {
            uint before = SizeOf(db);
            List<WalSurgery.Frame> frames = FramesOf(storage, () => Write(db, tx => tx.GetTree("kv").Put(KeyOf(i), new byte[150])));
            if (SizeOf(db) == before)
                continue;
            growths++;
            Assert.That(frames.Select(frame => frame.Page), Has.None.EqualTo(0u), $"commit {i} grew the database from {before} pages; {Describe(frames)}");
            Assert.That(frames[^1].CommitSize, Is.EqualTo(SizeOf(db)), "the commit frame records the new size");
        }
        Assert.That(HeaderCount(db), Is.LessThan(SizeOf(db)), "page 0 as the snapshot reads it still counts the pages before the growth");
    }

    [Test]
    public void After_a_crash_the_page_count_is_the_last_commits_and_the_checkpoint_writes_it_into_the_header()
    {
        var storage = new MemoryStorage();
        MemoryStorage crashed;
        uint size;
        using (PageDatabase db = OpenQuiet(storage))
        {
            AppendRows(db, 0, 200);
            size = SizeOf(db);
            Assert.That(HeaderCount(db), Is.LessThan(size), "the growth was not logged in page 0");
            crashed = CopyOf(storage); // the process dies: every write kept, nothing checkpointed
        }

        using (PageDatabase db = OpenQuiet(crashed))
        {
            Assert.That(db.GetStats().PageCount, Is.EqualTo(size));
            Assert.That(FileHeaderCount(crashed), Is.EqualTo(size), "the open's checkpoint wrote the last commit's size into the file's header");
            Assert.That(crashed.GetContents(DbPath), Has.Length.EqualTo(size * PageSize));
            using ReadTransaction read = db.BeginRead();
            Assert.That(read.GetTree("kv").Count, Is.EqualTo(200));
        }
    }

    [Test]
    public void A_passive_checkpoint_writes_the_checkpointed_commits_size_into_the_header([Values] bool syncs)
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenQuiet(storage, syncs ? Durability.Normal : Durability.None);
        AppendRows(db, 0, 100);
        uint checkpointed = SizeOf(db);
        using (db.BeginRead())
        {
            AppendRows(db, 100, 200);
            db.Checkpoint(CheckpointMode.Passive); // the reader holds it at the 100th row
            Assert.That(FileHeaderCount(storage), Is.EqualTo(checkpointed));
        }
        db.Checkpoint(CheckpointMode.Passive);
        Assert.That(FileHeaderCount(storage), Is.EqualTo(SizeOf(db)));
        Assert.That(SizeOf(db), Is.GreaterThan(checkpointed));
    }

    [Test]
    public void A_backup_taken_before_any_checkpoint_has_the_snapshots_page_count_in_its_header()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-unlogged-growth-").FullName;
        try
        {
            var storage = new MemoryStorage();
            string copy = Path.Combine(directory, "copy.pagedb");
            uint size;
            using (PageDatabase db = OpenQuiet(storage))
            {
                AppendRows(db, 0, 200);
                size = SizeOf(db);
                Assert.That(HeaderCount(db), Is.LessThan(size));
                db.Backup(copy);
            }
            Assert.That(new FileHeaderPageReader(File.ReadAllBytes(copy)).PageCount, Is.EqualTo(size));
            using PageDatabase restored = PageDatabase.Open(copy, new PageDbOptions { CreateIfMissing = false, BeforeDispose = AssertIntact });
            using ReadTransaction read = restored.BeginRead();
            Assert.That(read.GetTree("kv").Count, Is.EqualTo(200));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A reader process recovers the log on its own beside the live writer: each read-only open, between growing
    /// commits and checkpoints held back by the readers, sees the last commit's size and rows.
    /// </summary>
    [Test]
    public void A_read_only_open_beside_the_writer_counts_the_pages_of_the_last_commit()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-unlogged-growth-").FullName;
        try
        {
            string path = Path.Combine(directory, "growth.pagedb");
            using PageDatabase writer = PageDatabase.Open(path, new PageDbOptions { Durability = Durability.Normal, CheckpointThresholdBytes = 256L << 20 });
            Write(writer, tx => tx.CreateTree("kv"));
            var readers = new List<(PageDatabase Db, ReadTransaction Read, uint Size, long Rows)>();
            try
            {
                for (int i = 0; i < 120; i++)
                {
                    Write(writer, tx => tx.GetTree("kv").Put(KeyOf(i), new byte[150]));
                    if (i % 40 != 39)
                        continue;
                    writer.Checkpoint(CheckpointMode.Passive); // held back by the readers: copies up to the oldest
                    var reader = PageDatabase.Open(path, new PageDbOptions { ReadOnly = true, CreateIfMissing = false });
                    readers.Add((reader, reader.BeginRead(), SizeOf(writer), i + 1));
                    foreach ((PageDatabase db, ReadTransaction held, uint size, long rows) in readers)
                    {
                        Assert.That(held.GetTree("kv").Count, Is.EqualTo(rows), $"a reader opened after row {rows}, now at row {i + 1}");
                        Assert.That(((Engine.SnapshotPages)held.Pages).PageCount, Is.EqualTo(size));
                    }
                    Assert.That(reader.CheckIntegrity().Problems, Is.Empty);
                }
            }
            finally
            {
                foreach ((PageDatabase db, ReadTransaction read, _, _) in readers)
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
    /// A header torn by a crash mid-checkpoint is restored from the log's newest page 0, which (the growth after it
    /// not logged) counts fewer pages than the last commit: the repair stamps the last commit's size on it.
    /// </summary>
    [Test]
    public void A_header_repaired_from_the_log_gets_the_last_commits_page_count()
    {
        var storage = new MemoryStorage();
        MemoryStorage crashed;
        uint size;
        using (PageDatabase db = OpenQuiet(storage))
        {
            AppendRows(db, 0, 200); // the first commit logs page 0 (the catalog root), the growth after it does not
            size = SizeOf(db);
            crashed = CopyOf(storage);
        }
        byte[] file = crashed.GetContents(DbPath);
        file[100] ^= 0xFF; // page 0 fails its checksum
        crashed.SetContents(DbPath, file);

        using PageDatabase repaired = OpenQuiet(crashed);
        Assert.That(repaired.GetStats().PageCount, Is.EqualTo(size));
        Assert.That(FileHeaderCount(crashed), Is.EqualTo(size));
        using ReadTransaction read = repaired.BeginRead();
        Assert.That(read.GetTree("kv").Count, Is.EqualTo(200));
    }

    /// <summary>One-row commits of ascending keys <paramref name="from"/> to <paramref name="to"/> - 1 into tree "kv" (created by the first), W7's shape.</summary>
    private static void AppendRows(PageDatabase db, int from, int to)
    {
        for (int i = from; i < to; i++)
            Write(db, tx => tx.GetOrCreateTree("kv").Put(KeyOf(i), new byte[150]));
    }

    private static uint FileHeaderCount(MemoryStorage storage) => new FileHeaderPageReader(storage.GetContents(DbPath)).PageCount;
}
