using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

public class MaintenanceTests
{
    [Test]
    public void Checkpoint_modes_copy_the_WAL_and_truncate_shrinks_it()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = Open(storage);
        for (int i = 0; i < 20; i++)
            Put(db, "t", ($"k{i}", new string('v', 500)));
        long walBefore = db.GetStats().WalBytes;
        Assert.That(walBefore, Is.GreaterThan(0));
        db.Checkpoint(CheckpointMode.Passive);
        db.Checkpoint(CheckpointMode.Full);
        db.Checkpoint(CheckpointMode.Truncate);
        Assert.That(db.GetStats().WalBytes, Is.LessThan(walBefore));
        Assert.That(db.GetStats().WalFrames, Is.EqualTo(0));
        using ReadTransaction tx = db.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(20));
    }

    [Test]
    public void A_full_checkpoint_times_out_while_an_old_reader_stays_open()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), writeLockTimeout: TimeSpan.FromMilliseconds(100)));
        Put(db, "t", ("a", "1"));
        using ReadTransaction old = db.BeginRead();
        Put(db, "t", ("b", "2"));
        Assert.Throws<TimeoutException>(() => db.Checkpoint(CheckpointMode.Full));
        db.Checkpoint(CheckpointMode.Passive);
        Assert.That(old.GetTree("t").Count, Is.EqualTo(1), "a passive checkpoint never disturbs an old snapshot");
    }

    [Test]
    public void Automatic_checkpoints_keep_the_WAL_near_its_threshold()
    {
        var options = new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Storage = new MemoryStorage(), CheckpointThresholdBytes = 64 << 10, Durability = Durability.Normal };
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        for (int i = 0; i < 500; i++)
            Put(db, "t", ($"k{i:D5}", new string('v', 200)));
        Assert.That(db.GetStats().WalBytes, Is.LessThan(4 * options.CheckpointThresholdBytes));
    }

    [Test]
    public void The_WAL_stays_bounded_while_overlapping_readers_never_stop()
    {
        var options = new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Storage = new MemoryStorage(), CheckpointThresholdBytes = 32 << 10, Durability = Durability.None };
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        Put(db, "t", ("seed", "0"));
        ReadTransaction older = db.BeginRead();
        long largest = 0;
        for (int i = 0; i < 2000; i++)
        {
            // Readers overlap: a new one begins before the previous one ends, so some reader is always open.
            ReadTransaction newer = db.BeginRead();
            older.Dispose();
            older = newer;
            Put(db, "t", ($"k{i % 50}", new string('v', 300)));
            largest = Math.Max(largest, db.GetStats().WalBytes);
        }
        older.Dispose();
        Assert.That(largest, Is.LessThan(1L << 20), "the WAL restarted while readers came and went");
    }

    [Test]
    public void CheckIntegrity_is_clean_on_a_healthy_database_and_counts_pages()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 3000; i++)
                t.Put(Bytes($"key{i:D6}"), new byte[i % 700]);
            t.Put(Bytes("big"), new byte[100_000]);
            tx.Commit();
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, report.ToString());
        Assert.That(report.PagesChecked, Is.EqualTo(db.GetStats().PageCount));
    }

    [Test]
    public void CheckIntegrity_reports_a_damaged_page_with_its_number()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 2000; i++)
                t.Put(Bytes($"key{i:D6}"), new byte[50]);
            tx.Commit();
        }
        const int damagedPage = 3;
        using (IStorageFile file = storage.Open(DbPath, StorageOpenMode.ReadWrite))
        {
            var b = new byte[1];
            file.Read(damagedPage * 4096L + 2000, b);
            b[0] ^= 1;
            file.Write(damagedPage * 4096L + 2000, b);
        }
        using (PageDatabase db = OpenDamaged(storage))
        {
            IntegrityReport report = db.CheckIntegrity();
            Assert.That(report.IsOk, Is.False);
            Assert.That(report.Problems.Select(p => p.PageNumber), Does.Contain((long?)damagedPage));
        }
    }

    [Test]
    public void GetStats_reports_pages_by_type_and_cache_counters()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 2000; i++)
                t.Put(Bytes($"key{i:D6}"), new byte[100]);
            tx.Commit();
        }
        using (ReadTransaction tx = db.BeginRead())
            _ = tx.GetTree("t").Get(Bytes("key000001"));
        DatabaseStats stats = db.GetStats();
        Assert.That(stats.PageSize, Is.EqualTo(4096));
        Assert.That(stats.PagesByType["BtreeLeaf"], Is.GreaterThan(10));
        Assert.That(stats.PagesByType["BtreeInterior"], Is.GreaterThanOrEqualTo(1));
        Assert.That(stats.PagesByType.Values.Sum(), Is.EqualTo(stats.PageCount));
        Assert.That(stats.CacheHits + stats.CacheMisses, Is.GreaterThan(0));
        Assert.That(stats.TreeCount, Is.EqualTo(1));
    }

    [Test]
    public void Compact_returns_free_pages_to_the_file_system_and_keeps_every_entry()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = Open(storage);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree keep = tx.CreateTree("keep");
            Tree drop = tx.CreateTree("drop");
            for (int i = 0; i < 4000; i++)
            {
                keep.Put(Bytes($"k{i:D6}"), new byte[120]);
                drop.Put(Bytes($"d{i:D6}"), new byte[120]);
            }
            tx.Commit();
        }
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.DropTree("drop");
            tx.Commit();
        }
        db.Checkpoint(CheckpointMode.Truncate);
        long before = FileLength(storage);
        db.Compact();
        long after = FileLength(storage);
        Assert.That(after, Is.LessThan(before * 3 / 4), $"file {before} -> {after} bytes");
        Assert.That(db.GetStats().FreePages, Is.EqualTo(0));
        Assert.That(db.CheckIntegrity().IsOk, Is.True, db.CheckIntegrity().ToString());
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTree("keep").Count, Is.EqualTo(4000));
        Assert.That(read.TreeNames, Is.EqualTo(new[] { "keep" }));
    }

    private static long FileLength(IStorage storage)
    {
        using IStorageFile file = storage.Open(DbPath, StorageOpenMode.ReadOnly);
        return file.Length;
    }
}
