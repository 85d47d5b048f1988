using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15: the database size a WAL commit frame records was trusted. With the
/// frame chain recomputed, 0xFFFFFFFF gave <see cref="OverflowException"/> in <c>CheckIntegrity</c>, 0x7FFFFFFF an
/// <see cref="OutOfMemoryException"/>, and <c>Dispose</c> then grew the file to 16 TiB (sparse); header repair trusted
/// the page count of the WAL's copy of page 0 the same way. Recovery now refuses, as corruption, a commit size larger
/// than the database file plus the frames logged (every added page is logged) or smaller than its own frames' pages.
/// </summary>
public class ImplausibleWalCommitSizeTests
{
    private const int PageSize = 4096;
    private static readonly string WalPath = DbPath + "-wal";

    [TestCase(0xFFFF_FFFFu)]
    [TestCase(0x7FFF_FFFFu)]
    [TestCase(100_000u)]
    [TestCase(1u)]
    public void A_forged_commit_size_is_refused_and_grows_nothing(uint forged)
    {
        MemoryStorage storage = DatabaseInWal();
        byte[] wal = storage.GetContents(WalPath);
        List<WalSurgery.Frame> frames = WalSurgery.Frames(wal, PageSize);
        WalSurgery.SetCommitSize(wal, frames.Last(f => f.CommitSize != 0), forged);
        WalSurgery.Rechain(wal, frames);
        storage.SetContents(WalPath, wal);
        long fileLength = storage.GetContents(DbPath).Length;

        var error = Assert.Throws<CorruptDatabaseException>(() =>
        {
            using PageDatabase db = Open(storage);
            db.CheckIntegrity();
        });
        Assert.That(error!.FilePath, Is.EqualTo(WalPath), error.Message);
        Assert.That(storage.GetContents(DbPath), Has.Length.EqualTo(fileLength));
    }

    [Test]
    public void A_frame_of_a_page_far_past_the_end_is_refused()
    {
        MemoryStorage storage = DatabaseInWal();
        byte[] wal = storage.GetContents(WalPath);
        List<WalSurgery.Frame> frames = WalSurgery.Frames(wal, PageSize);
        WalSurgery.SetPage(wal, frames[0], 0xFFFF_FFF0);
        WalSurgery.Rechain(wal, frames);
        storage.SetContents(WalPath, wal);
        long fileLength = storage.GetContents(DbPath).Length;

        Assert.Throws<CorruptDatabaseException>(() =>
        {
            using PageDatabase db = Open(storage);
            db.CheckIntegrity();
        });
        Assert.That(storage.GetContents(DbPath), Has.Length.EqualTo(fileLength));
    }

    /// <summary>A database whose commits are all still in the WAL (as a crash leaves it), over memory storage.</summary>
    private static MemoryStorage DatabaseInWal()
    {
        var built = new MemoryStorage();
        PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { Storage = built, CacheSizeBytes = 1 << 20, CheckpointThresholdBytes = 1L << 30 });
        for (int i = 0; i < 5; i++)
            Put(db, "t", ($"key {i}", new string('v', 500)));
        var storage = new MemoryStorage(); // the files as they are now, before Dispose checkpoints them
        storage.SetContents(DbPath, built.GetContents(DbPath));
        storage.SetContents(WalPath, built.GetContents(WalPath));
        db.Dispose();
        return storage;
    }
}
