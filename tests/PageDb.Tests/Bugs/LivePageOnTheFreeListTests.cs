using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.Bugs.FreeListFixture;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Issue #15: a page listed on the free list while a tree still uses it (a double free, or a stray write to a trunk) was
/// read around, flagged by <see cref="PageDatabase.CheckIntegrity"/> and repaired by <see cref="PageDatabase.Compact"/>,
/// but a write before the compaction took it from the list and overwrote the live page: silent damage. Pages freed now
/// are marked (page type 6, free) and a write that takes an entry from the list checks the mark first
/// (docs/FORMAT.md, "The free list"), so the write is refused and the live page is left as it was. Before the fix the
/// write succeeded and turned the leaf into an overflow page.
/// </summary>
public class LivePageOnTheFreeListTests
{
    [Test]
    public void A_write_that_takes_a_live_page_from_the_free_list_is_refused_and_the_page_kept()
    {
        MemoryStorage storage = WithFreePages();
        byte[] file = storage.GetContents(DbPath);
        uint trunk = PagesOfType(file, PageSize, PageType.FreeListTrunk).Single();
        uint count = ReadU32(file, trunk, FreeListTrunkPage.EntryCountOffset);
        var free = Enumerable.Range(0, (int)count).Select(i => ReadU32(file, trunk, FreeListTrunkPage.EntriesOffset + (4 * i))).ToHashSet();
        uint live = PagesOfType(file, PageSize, PageType.BtreeLeaf).First(page => !free.Contains(page));

        // A stray write changes the trunk's last entry, the next page a write takes, into the live leaf's number.
        SetU32(file, PageSize, trunk, FreeListTrunkPage.EntriesOffset + (4 * ((int)count - 1)), live);
        storage.SetContents(DbPath, file);

        using PageDatabase db = OpenDamaged(storage);
        Assert.That(db.CheckIntegrity().Problems.Select(p => p.Message), Has.Some.Contains("the free list"));
        using (WriteTransaction write = db.BeginWrite())
        {
            // A 3,000-byte value needs an overflow page, which the allocator takes from the end of the trunk.
            CorruptDatabaseException refused = Assert.Throws<CorruptDatabaseException>(() => write.GetTree("kept").Put(Bytes("new"), new byte[3000]))!;
            Assert.That(refused.PageNumber, Is.EqualTo(live));
        }
        AssertKeptIntact(db);

        db.Compact();
        Assert.That(db.CheckIntegrity().IsOk, Is.True, "after Compact");
        AssertKeptIntact(db);
        using (WriteTransaction write = db.BeginWrite())
        {
            write.GetTree("kept").Put(Bytes("new"), new byte[3000]);
            write.Commit();
        }
    }

    [Test]
    public void Pages_freed_by_a_build_from_before_the_marks_are_reused_unchecked()
    {
        MemoryStorage storage = WithFreePages();
        byte[] file = storage.GetContents(DbPath);
        uint trunk = PagesOfType(file, PageSize, PageType.FreeListTrunk).Single();
        uint count = ReadU32(file, trunk, FreeListTrunkPage.EntryCountOffset);
        for (int i = 0; i < count; i++)
        {
            // An earlier build left a freed page as it was (here a leaf type) and offsets 12-15 of its trunks zero.
            uint entry = ReadU32(file, trunk, FreeListTrunkPage.EntriesOffset + (4 * i));
            Page(file, PageSize, entry)[0] = (byte)PageType.BtreeLeaf;
            Reseal(file, PageSize, entry);
        }
        SetU32(file, PageSize, trunk, FreeListTrunkPage.FirstMarkedOffset, 0);
        storage.SetContents(DbPath, file);

        using PageDatabase db = Open(storage);
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
        using WriteTransaction write = db.BeginWrite();
        Tree tree = write.GetTree("kept");
        for (int i = 0; i < (int)count + 10; i++)
            tree.Put(Bytes($"new {i:D4}"), new byte[3000]); // an overflow page each: every free page is taken
        write.Commit();
    }

    private static uint ReadU32(byte[] file, uint page, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Page(file, PageSize, page)[offset..]);
}
