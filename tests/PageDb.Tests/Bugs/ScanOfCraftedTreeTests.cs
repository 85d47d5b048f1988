using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15 (536 crafted files): cursors capped the depth of a descent but did
/// not check that keys kept ascending or that a leaf was not reached twice, so a scan of a tree whose interior page
/// links one leaf twice, or whose leaf lists its cells out of order, returned duplicated or unordered entries without an
/// error (and interior pages sharing subtrees made a full scan run for hours), while <c>CheckIntegrity</c> flagged the
/// file at once. Each cursor step now checks the key moved the way the walk goes, and a walk from one end to the other
/// must meet the entry count the root records: <see cref="CorruptDatabaseException"/>.
/// </summary>
public class ScanOfCraftedTreeTests
{
    private const int PageSize = 4096;
    private const int EntryCountOffset = 24 + 8; // the root's user header: entry count (u64), low half

    [TestCase(false)]
    [TestCase(true)]
    public void A_leaf_linked_twice_is_corruption_not_duplicated_entries(bool descending)
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint root = PagesOfType(file, PageSize, PageType.BtreeInterior).Single();
        int firstCell = GetU16(file, PageSize, root, PointerArrayOffset);
        int secondCell = GetU16(file, PageSize, root, PointerArrayOffset + 4);
        uint secondChild = BitConverter.ToUInt32(file, (int)(root * PageSize) + secondCell);
        SetU32(file, PageSize, root, firstCell, secondChild); // the first link now reaches the second leaf too
        storage.SetContents(DbPath, file);

        AssertScanRefused(storage, descending);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Cells_out_of_order_in_a_leaf_are_corruption(bool descending)
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint leaf = PagesOfType(file, PageSize, PageType.BtreeLeaf).First(page => GetU16(file, PageSize, page, CellCountOffset) > 3);
        Span<byte> page = Page(file, PageSize, leaf);
        uint first = BitConverter.ToUInt32(page[PointerArrayOffset..]);
        page[(PointerArrayOffset + 8)..(PointerArrayOffset + 12)].CopyTo(page[PointerArrayOffset..]); // slots 0 and 2 swap cells
        BitConverter.TryWriteBytes(page[(PointerArrayOffset + 8)..], first);
        Reseal(file, PageSize, leaf);
        storage.SetContents(DbPath, file);

        AssertScanRefused(storage, descending);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_full_scan_meeting_other_than_the_root_count_is_corruption(bool descending)
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint root = PagesOfType(file, PageSize, PageType.BtreeInterior).Single();
        SetU32(file, PageSize, root, EntryCountOffset, 150); // the leaves hold 200: a subtree lost or reached from elsewhere
        storage.SetContents(DbPath, file);

        AssertScanRefused(storage, descending);
    }

    private static void AssertScanRefused(MemoryStorage storage, bool descending)
    {
        using PageDatabase db = TestDatabase.OpenDamaged(storage);
        using ReadTransaction tx = db.BeginRead();
        using Cursor cursor = tx.GetTree("t").OpenCursor();
        Assert.Throws<CorruptDatabaseException>(() =>
        {
            for (bool more = descending ? cursor.SeekLast() : cursor.SeekFirst(); more; more = descending ? cursor.Previous() : cursor.Next())
            {
            }
        });
    }

    /// <summary>Tree "t" with enough entries for a root interior page over several leaves, checkpointed into the file.</summary>
    private static (MemoryStorage Storage, byte[] File) TwoLevelTree()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = TestDatabase.OpenDamaged(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree tree = tx.CreateTree("t");
            for (int i = 0; i < 200; i++)
                tree.Put(Bytes($"key {i:D4}"), new byte[40]);
            tx.Commit();
        }
        return (storage, storage.GetContents(DbPath));
    }
}
