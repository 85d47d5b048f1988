using System.Buffers.Binary;
using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Issue #15: scans refused the crafted trees of <see cref="ReadsMissedWhatTheCheckFlaggedTests"/>, but a point lookup
/// (and the descent of Put, TryInsert and Delete) checked only each page's node header, so on a file
/// <c>CheckIntegrity</c> flags it said "not found" for a key that was there: an empty leaf below the root, or a
/// link leading to a leaf of another subtree. The descent now carries the separators on either side of its path and
/// checks each page's first and last keys against them, and refuses an empty leaf below the root.
/// </summary>
public class PointLookupOfCraftedTreeTests
{
    private const int PageSize = 4096;
    private const int ChildOffset = 0; // interior cell: child link (u32), then the separator
    private const int PointerSize = 4; // cell pointer: offset (u16), length (u16)
    private static readonly byte[] FirstKey = Bytes("key 0000"); // in the root's first child

    [Test]
    public void An_empty_leaf_below_the_root_is_refused_by_a_lookup()
    {
        (MemoryStorage storage, byte[] file) = ReadsMissedWhatTheCheckFlaggedTests.TwoLevelTree();
        uint leaf = ChildOfRootCell(file, 0);
        SetNoCells(file, PageSize, leaf); // before: Get(FirstKey) returned null
        storage.SetContents(DbPath, file);

        AssertLookupsRefused(storage);
    }

    [Test]
    public void A_link_to_a_leaf_of_another_subtree_is_refused_by_a_lookup()
    {
        (MemoryStorage storage, byte[] file) = ReadsMissedWhatTheCheckFlaggedTests.TwoLevelTree();
        uint root = PagesOfType(file, PageSize, PageType.BtreeInterior).Single();
        int cell = GetU16(file, PageSize, root, PointerArrayOffset);
        // The first link now leads to the second leaf, whose keys all lie at or above the first separator; before,
        // Get(FirstKey) searched it and returned null.
        SetU32(file, PageSize, root, cell + ChildOffset, ChildOfRootCell(file, 1));
        storage.SetContents(DbPath, file);

        AssertLookupsRefused(storage);
    }

    private static void AssertLookupsRefused(MemoryStorage storage)
    {
        using PageDatabase db = OpenDamaged(storage);
        Assert.That(db.CheckIntegrity().IsOk, Is.False);
        using (ReadTransaction read = db.BeginRead())
        {
            Tree tree = read.GetTree("t");
            Assert.Throws<CorruptDatabaseException>(() => tree.Get(FirstKey), "Get");
            Assert.Throws<CorruptDatabaseException>(() => tree.TryRead(FirstKey, 0, static (_, _) => { }), "TryRead");
        }
        using WriteTransaction write = db.BeginWrite();
        Tree written = write.GetTree("t");
        Assert.Throws<CorruptDatabaseException>(() => written.Delete(FirstKey), "Delete");
        Assert.Throws<CorruptDatabaseException>(() => written.Put(FirstKey, [1]), "Put");
    }

    private static uint ChildOfRootCell(byte[] file, int index)
    {
        uint root = PagesOfType(file, PageSize, PageType.BtreeInterior).Single();
        int cell = GetU16(file, PageSize, root, PointerArrayOffset + (PointerSize * index));
        return BinaryPrimitives.ReadUInt32LittleEndian(Page(file, PageSize, root)[(cell + ChildOffset)..]);
    }
}
