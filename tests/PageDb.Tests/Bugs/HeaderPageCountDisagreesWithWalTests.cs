using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the hostile-file fuzzer (HostileFileFuzzTests, seed 1156148229 case 597): the WAL's newest copy of page 0
/// counted 36 pages while its last commit frame recorded 22 (both chain-valid). Readers used the commit's 22 and
/// CheckIntegrity passed; the next write grew the file from the header's 36, and the database it committed failed the
/// check. The check now compares the header's page count with the last commit's, and a write transaction refuses a
/// header that counts more pages (the catalog refuses it; since WAL format 5 a write no longer grows from the header's
/// count, and a header counting fewer pages is sound: docs/FORMAT.md, "Unlogged growth").
/// </summary>
public class HeaderPageCountDisagreesWithWalTests
{
    private const int PageSize = 4096;
    private const int PageCountOffset = 40;

    [Test]
    public void The_check_flags_it_and_a_write_refuses_it()
    {
        var built = new MemoryStorage();
        PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { Storage = built, CacheSizeBytes = 1 << 20, CheckpointThresholdBytes = 1L << 30 });
        Put(db, "t", ("a", "1"));
        var storage = new MemoryStorage();
        storage.SetContents(DbPath, built.GetContents(DbPath));
        byte[] wal = WalSurgery.ExpandFrames(built.GetContents(DbPath + "-wal"), PageSize);
        db.Dispose();
        List<WalSurgery.Frame> frames = WalSurgery.Frames(wal, PageSize);
        WalSurgery.Frame header = frames.Last(f => f.Page == 0);
        byte[] image = wal.AsSpan(header.ImageOffset, PageSize).ToArray();
        PageSurgery.SetU32(image, PageSize, 0, PageCountOffset, BitConverter.ToUInt32(image, PageCountOffset) + 14);
        image.CopyTo(wal.AsSpan(header.ImageOffset));
        WalSurgery.Rechain(wal, frames);
        storage.SetContents(DbPath + "-wal", wal);

        using PageDatabase reopened = OpenDamaged(storage);
        IntegrityReport report = reopened.CheckIntegrity();
        Assert.That(report.Problems.Any(p => p.PageNumber == 0), Is.True, report.ToString());
        Assert.Throws<CorruptDatabaseException>(() =>
        {
            using WriteTransaction tx = reopened.BeginWrite();
            Tree tree = tx.GetTree("t");
            for (int i = 0; i < 50; i++)
                tree.Put(Bytes($"key {i}"), new byte[500]); // needs new pages
            tx.Commit();
        });
    }
}
