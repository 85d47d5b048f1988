using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.HostileDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15 (4 of 6,000 crafted files): a leaf whose freeblock list loops back
/// on itself (the page's checksum recomputed, as a buggy tool would leave it) made <c>Delete</c> spin for ever, because
/// <c>SlottedPage.FreeRange</c> walked the list until it passed the freed cell and a loop below the cell never passes
/// it. Every freeblock walk now requires the offsets to rise (so it ends within page size / 4 steps), and a page is
/// verified before the write path first changes it.
/// </summary>
public class FreeblockCycleHangTests
{
    [TestCase("delete")]
    [TestCase("put")]
    [TestCase("replace")]
    public void A_freeblock_list_that_loops_is_reported_not_walked_for_ever(string operation)
    {
        HostileDatabase hostile = WithHoles();
        byte[] file = hostile.File();
        uint leaf = hostile.LeafWithFreeblocks();
        int block = GetU16(file, PageSize, leaf, FirstFreeblockOffset);
        SetU16(file, PageSize, leaf, block, block); // the first freeblock's next is itself
        hostile.Save(file);

        var error = Assert.Throws<CorruptDatabaseException>(() => hostile.Run(db =>
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree tree = tx.GetTree("t");
            if (operation == "delete")
                tree.Delete(Key(0)); // its cell lies above the loop: the walk looked for it there
            else
                tree.Put(operation == "put" ? Key(100) : Key(0), new byte[operation == "put" ? 10 : 60]);
            tx.Commit();
        }, operation));
        Assert.That(error!.PageNumber, Is.EqualTo(leaf));
        Assert.That(error.FilePath, Is.EqualTo(TestDatabase.DbPath));
    }

    [Test]
    public void The_integrity_check_reports_the_loop()
    {
        HostileDatabase hostile = WithHoles();
        byte[] file = hostile.File();
        uint leaf = hostile.LeafWithFreeblocks();
        int block = GetU16(file, PageSize, leaf, FirstFreeblockOffset);
        SetU16(file, PageSize, leaf, block, block);
        hostile.Save(file);
        hostile.Run(db =>
        {
            IntegrityReport report = db.CheckIntegrity();
            Assert.That(report.Problems.Any(p => p.PageNumber == leaf), Is.True, report.ToString());
        }, "check");
    }
}
