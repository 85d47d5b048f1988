using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.HostileDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15 (36 crafted files): <c>Put</c>, <c>Delete</c> and <c>Commit</c>
/// trusted the slotted-page header of a leaf read from disk (content start, fragment count, first freeblock), so a
/// checksum-valid page with an impossible value there gave <see cref="ArgumentOutOfRangeException"/> or
/// <see cref="ArgumentException"/> from deep inside <c>SlottedPage</c> (or, for a huge fragment count, silently wrote
/// cells over the pointer array). A write transaction now verifies a slotted page before its first change, so these
/// are <see cref="CorruptDatabaseException"/> naming the file and the page, before anything is changed.
/// </summary>
public class HostileSlottedHeaderTests
{
    private static readonly (string Name, int Offset, int Value)[] Damages =
    [
        ("content start before the pointer array ends", ContentStartOffset, PointerArrayOffset + 4),
        ("content start inside the cells", ContentStartOffset, PageSize - 8),
        ("fragment count far too large", FragmentedBytesOffset, 0xFFFF),
        ("first freeblock past the page end", FirstFreeblockOffset, PageSize - 2),
        ("first freeblock inside the pointer array", FirstFreeblockOffset, PointerArrayOffset + 1),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from damage in Enumerable.Range(0, Damages.Length)
        from operation in new[] { "insert", "replace", "delete" }
        select new TestCaseData(damage, operation).SetName($"{Damages[damage].Name}: {operation}");

    [TestCaseSource(nameof(Cases))]
    public void A_damaged_leaf_header_is_corruption_before_anything_changes(int damage, string operation)
    {
        HostileDatabase hostile = WithHoles();
        byte[] file = hostile.File();
        uint leaf = hostile.LeafWithFreeblocks();
        (string name, int offset, int value) = Damages[damage];
        SetU16(file, PageSize, leaf, offset, value);
        hostile.Save(file);

        var error = Assert.Throws<CorruptDatabaseException>(() => hostile.Run(db =>
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree tree = tx.GetTree("t");
            switch (operation)
            {
                case "insert":
                    tree.Put(Key(100), new byte[200]);
                    break;
                case "replace":
                    tree.Put(Key(3), new byte[200]);
                    break;
                default:
                    tree.Delete(Key(3));
                    break;
            }
            tx.Commit();
        }, name));
        Assert.That(error!.PageNumber, Is.EqualTo(leaf), error.Message);
        Assert.That(error.Message, Does.Contain(TestDatabase.DbPath));
        Assert.That(hostile.File(), Is.EqualTo(file), "the database file changed");
    }
}
