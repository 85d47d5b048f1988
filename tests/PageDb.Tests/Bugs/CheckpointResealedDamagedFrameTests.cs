using System.Text;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15 (46 WAL files): a checkpoint copied WAL frames into the database file
/// and sealed them afresh without checking the page checksum the frame carried. One byte of a frame changed on disk while
/// the database was open: <c>CheckIntegrity</c> reported the mismatch, but <c>Dispose</c> (a truncating checkpoint)
/// copied the changed page with a new, valid checksum, and the reopened database checked clean and returned the changed
/// value. A checkpoint now verifies each frame's page before copying it, and copies it as the log stored it.
/// </summary>
public class CheckpointResealedDamagedFrameTests
{
    private static readonly string Value = new('A', 300);

    [Test]
    public void A_frame_damaged_on_disk_fails_the_checkpoint_and_never_becomes_good_data()
    {
        var storage = new MemoryStorage();
        PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { Storage = storage, CacheSizeBytes = 1 << 20, CheckpointThresholdBytes = 1L << 30 });
        Put(db, "t", ("key", Value));
        string walPath = DbPath + "-wal";
        byte[] wal = storage.GetContents(walPath);
        int at = wal.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Value));
        Assert.That(at, Is.Positive, "the value is in a WAL frame");
        wal[at + 100] = (byte)'B'; // the page image's own checksum no longer matches; the frame chain is not read again
        storage.SetContents(walPath, wal);

        var error = Assert.Throws<CorruptDatabaseException>(db.Dispose);
        Assert.That(error!.FilePath, Is.EqualTo(walPath), error.Message);

        PageDatabase? reopened = null;
        try
        {
            reopened = Open(storage); // recovery cuts the log at the damaged frame
        }
        catch (PageDbException)
        {
            return; // refusing the files is fine too
        }
        using (reopened)
        {
            using ReadTransaction tx = reopened.BeginRead();
            string? found = tx.TryGetTree("t", out Tree? tree) ? Text(tree.Get(Bytes("key"))) : null;
            Assert.That(found, Is.Null.Or.EqualTo(Value).Or.EqualTo("<null>"), "a changed value was returned as good data");
            Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
        }
    }
}
