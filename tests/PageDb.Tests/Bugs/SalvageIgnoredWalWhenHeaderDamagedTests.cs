using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the salvage fuzzer of issue #15 (tests/PageDb.CrashTests/SalvageFuzzTests.cs): when the database file's
/// header page was damaged but the WAL held a sound, committed copy of it, opening the database restored the header
/// from the WAL and read every tree, and <c>CheckIntegrity</c> found nothing wrong; <c>PageDatabase.Salvage</c> gave up
/// on the WAL (it identified the WAL only through the file's header), so it found no catalog and put all 216 entries
/// into <c>lost_and_found</c> instead of their trees and tables (here, a file of one page, it refused: "no readable
/// page"). Salvage now takes the page size and database id from a sound WAL header when the file's header is
/// unreadable, as header repair does.
/// </summary>
public class SalvageIgnoredWalWhenHeaderDamagedTests
{
    private const string NewPath = "new.pagedb";

    [Test]
    public void A_damaged_file_header_with_a_sound_copy_in_the_WAL_salvages_into_the_named_trees()
    {
        var built = new MemoryStorage();
        PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { Storage = built, CacheSizeBytes = 1 << 20, CheckpointThresholdBytes = 1L << 30 });
        Put(db, "t", ("a", "1"), ("b", "2"));
        Put(db, "u", ("c", "3"));
        var storage = new MemoryStorage(); // the files as a crash leaves them: the commits (and page 0) only in the WAL
        byte[] file = built.GetContents(DbPath);
        PageSurgery.SetU32(file, 4096, 0, 36, 12_345); // the header's page size: no longer a page size
        storage.SetContents(DbPath, file);
        storage.SetContents(DbPath + "-wal", built.GetContents(DbPath + "-wal"));
        db.Dispose();

        SalvageReport report = PageDatabase.Salvage(DbPath, NewPath, Options(storage));

        Assert.That(report.LostAndFoundEntries, Is.Zero, string.Join("\n", report.Problems));
        Assert.That(report.Recovered, Is.EquivalentTo(new[] { ("t", 2L), ("u", 1L) }));
        Assert.That(storage.GetContents(DbPath), Is.EqualTo(file), "the damaged file is never changed");
    }
}
