using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>A failed write or sync is reported, never hidden, and poisons the database until it is reopened.</summary>
public class FailureTests
{
    [Test]
    public void A_failed_sync_at_commit_is_reported_and_refuses_writes_until_reopen()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        using (PageDatabase db = PageDatabase.Open(DbPath, Options(faulty)))
        {
            Put(db, "t", ("kept", "1"));
            faulty.FailSyncs = true;
            using (WriteTransaction tx = db.BeginWrite())
            {
                tx.GetTree("t").Put(Bytes("lost?"), Bytes("2"));
                Assert.Throws<PageDbIOException>(() => tx.Commit());
            }
            faulty.FailSyncs = false;
            Assert.Throws<PageDbIOException>(() => db.BeginWrite(), "no write after a failed sync");
            Assert.Throws<PageDbIOException>(() => db.Checkpoint());
            using ReadTransaction read = db.BeginRead();
            Assert.That(read.GetTree("t").Get(Bytes("lost?")), Is.Null, "a commit whose sync failed is not published");
            Assert.That(Text(read.GetTree("t").Get(Bytes("kept"))), Is.EqualTo("1"));
        }
        using (PageDatabase reopened = PageDatabase.Open(DbPath, Options(memory)))
        {
            using (ReadTransaction read = reopened.BeginRead())
                Assert.That(Text(read.GetTree("t").Get(Bytes("kept"))), Is.EqualTo("1"));
            Put(reopened, "t", ("after", "3"));
            Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
        }
    }

    [Test]
    public void A_failed_write_at_commit_is_reported_and_nothing_is_published()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        using PageDatabase db = PageDatabase.Open(DbPath, Options(faulty));
        Put(db, "t", ("kept", "1"));
        faulty.WritesBeforeFailure = faulty.Writes;
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.GetTree("t");
            for (int i = 0; i < 100; i++)
                t.Put(Bytes($"k{i}"), new byte[500]);
            Assert.Throws<PageDbIOException>(() => tx.Commit());
        }
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTree("t").Count, Is.EqualTo(1));
        Assert.Throws<PageDbIOException>(() => db.BeginWrite());
    }

    [Test]
    public void A_failed_automatic_checkpoint_does_not_undo_the_commit_but_poisons_later_writes()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        // The first commit in an open of its own: with the threshold at 1 byte, its background step (a switch's
        // preparation, which syncs) could still be running when the failures start, and fail before the commit below.
        using (PageDatabase setup = PageDatabase.Open(DbPath, new PageDbOptions { Storage = faulty }))
            Put(setup, "t", ("a", "1"));
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 1, Durability = Durability.Normal };
        PageDatabase db = PageDatabase.Open(DbPath, options);
        faulty.FailSyncs = true; // Normal does not sync at commit; the checkpoint after it (switch or background copy) syncs, and fails
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.GetTree("t").Put(Bytes("b"), Bytes("2"));
            Assert.DoesNotThrow(() => tx.Commit());
        }
        using (ReadTransaction read = db.BeginRead())
            Assert.That(Text(read.GetTree("t").Get(Bytes("b"))), Is.EqualTo("2"));
        Assert.That(WaitUntilWritesAreRefused(db), Is.True, "the failed checkpoint poisons later writes");
        Assert.Throws<PageDbIOException>(db.Dispose, "the close tells that the commit acknowledged at Normal never got its sync");
    }

    [Test]
    public void A_failed_background_checkpoint_poisons_the_engine_and_the_reopen_loses_nothing()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 16 << 10, Durability = Durability.Full, BackgroundCheckpoints = true };
        int committed = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            Put(db, "t", ("warm", "up"));
            faulty.FailWritesTo = DbPath; // only the database file: commits (WAL only) go on, the background copy fails
            while (committed < 200)
            {
                try
                {
                    Put(db, "t", ($"k{committed}", new string('v', 300)));
                    committed++;
                }
                catch (PageDbIOException)
                {
                    break;
                }
            }
            Assert.That(committed, Is.Positive, "commits are acknowledged after the injection (the first copy fails a moment later)");
            Assert.That(WaitUntilWritesAreRefused(db), Is.True, "a failed background checkpoint poisons the engine");
            faulty.FailWritesTo = null;
        }
        using (PageDatabase reopened = PageDatabase.Open(DbPath, options))
        {
            using ReadTransaction tx = reopened.BeginRead();
            Assert.That(tx.GetTree("t").Count, Is.EqualTo(committed + 1), "every acknowledged commit survives");
            Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
        }
    }

    /// <summary>
    /// A background step fails and no call comes that would be refused: the close is the last call that can tell the
    /// program its disk failed, so it throws; once a refused write has told it, the close does not tell it again.
    /// </summary>
    [Test]
    public void A_failed_background_checkpoint_no_call_reported_is_reported_by_the_close()
    {
        foreach (bool writeAfterTheFailure in new[] { false, true })
        {
            var faulty = new FaultyStorage(new MemoryStorage());
            var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 16 << 10, Durability = Durability.Full, BackgroundCheckpoints = true };
            var db = PageDatabase.Open(DbPath, options);
            Put(db, "t", ("warm", "up"));
            using var copyFailing = new ManualResetEventSlim();
            faulty.BeforeWrite = path =>
            {
                if (path == DbPath)
                    copyFailing.Set();
            };
            faulty.FailWritesTo = DbPath; // commits (WAL only) go on; the background copy into the database file fails
            bool refused = false;
            for (int i = 0; i < 10_000 && !copyFailing.IsSet && !refused; i++)
                refused = !TryPut(db, i);
            Assert.That(copyFailing.Wait(TimeSpan.FromSeconds(30)), Is.True, "the background copy reaches the database file");
            if (writeAfterTheFailure)
                refused |= WaitUntilWritesAreRefused(db);
            faulty.FailWritesTo = null;
            if (refused)
                Assert.DoesNotThrow(db.Dispose, "a refused call told the program already");
            else
                Assert.Throws<PageDbIOException>(db.Dispose, "no call told the program of the background failure");
        }
    }

    /// <summary>
    /// Begins (and drops) write transactions until one is refused with <see cref="PageDbIOException"/>: an automatic
    /// checkpoint fails on the background thread, so the engine learns of it a moment after the commit. Bounded (30 s).
    /// </summary>
    private static bool WaitUntilWritesAreRefused(PageDatabase db)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                db.BeginWrite().Dispose();
            }
            catch (PageDbIOException)
            {
                return true;
            }
            Thread.Sleep(1);
        }
        return false;
    }

    [Test]
    public void Syncs_follow_the_durability_level()
    {
        foreach ((Durability durability, bool syncsPerCommit) in new[] { (Durability.Full, true), (Durability.Normal, false), (Durability.None, false) })
        {
            var faulty = new FaultyStorage(new MemoryStorage());
            var options = new PageDbOptions { Storage = faulty, Durability = durability, CheckpointThresholdBytes = 1L << 30 };
            using PageDatabase db = PageDatabase.Open(DbPath, options);
            Put(db, "t", ("warm", "up"));
            int before = faulty.Syncs;
            for (int i = 0; i < 10; i++)
                Put(db, "t", ($"k{i}", "v"));
            int syncs = faulty.Syncs - before;
            if (syncsPerCommit)
                Assert.That(syncs, Is.GreaterThanOrEqualTo(10), $"{durability}");
            else
                Assert.That(syncs, Is.Zero, $"{durability}");
        }
    }

    [Test]
    public void A_damaged_header_is_restored_from_the_WAL_copy_of_page_0()
    {
        var storage = new MemoryStorage();
        PageDatabase db = TestDatabase.Open(storage);
        Put(db, "t", ("a", "1"));
        db.Checkpoint(CheckpointMode.Truncate);
        ReadTransaction old = db.BeginRead(); // holds the closing checkpoint back: the newer commits stay in the WAL only
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree big = tx.CreateTree("big");
            for (int i = 0; i < 500; i++)
                big.Put(Bytes($"k{i:D4}"), new byte[100]); // grows the file, which alone does not log page 0
            tx.CreateTree("gone");
            tx.DropTree("gone"); // frees its root: the free list in page 0 changes, so page 0 is logged
            tx.Commit();
        }
        db.Dispose();
        old.Dispose();
        byte[] file = storage.GetContents(DbPath);
        file[100] ^= 0x01; // inside page 0's checksummed area
        storage.SetContents(DbPath, file);

        using PageDatabase reopened = TestDatabase.Open(storage);
        using (ReadTransaction tx = reopened.BeginRead())
        {
            Assert.That(Text(tx.GetTree("t").Get(Bytes("a"))), Is.EqualTo("1"));
            Assert.That(tx.GetTree("big").Count, Is.EqualTo(500));
        }
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void A_damaged_header_with_no_copy_in_the_WAL_is_reported_as_corruption()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = TestDatabase.Open(storage))
            Put(db, "t", ("a", "1")); // closing checkpoints and truncates the WAL
        byte[] file = storage.GetContents(DbPath);
        file[100] ^= 0x01;
        storage.SetContents(DbPath, file);
        var ex = Assert.Throws<CorruptDatabaseException>(() => TestDatabase.Open(storage));
        Assert.That(ex!.PageNumber, Is.EqualTo(0));
    }
}
