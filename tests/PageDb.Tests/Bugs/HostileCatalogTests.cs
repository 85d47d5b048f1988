using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.HostileDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the hostile-file fuzzer (HostileFileFuzzTests, seeds 1452924401 case 475 and 1156148229 case 1372): one
/// field of the file header or of a catalog record, checksum recomputed, made a database read as another one without
/// an error. A header whose catalog root was 0 was taken for a new database and given a fresh, empty catalog (every
/// tree vanished, and CheckIntegrity found all pages lost); a catalog record whose root was the catalog's own root
/// read the catalog as tree "t". A missing catalog in a database with pages, and two catalog names sharing a root, are
/// now <see cref="CorruptDatabaseException"/>.
/// </summary>
public class HostileCatalogTests
{
    private const int CatalogRootOffset = 52;

    [Test]
    public void A_header_without_a_catalog_over_existing_pages_is_corruption_not_a_new_database()
    {
        HostileDatabase hostile = WithHoles();
        byte[] file = hostile.File();
        SetU32(file, PageSize, 0, CatalogRootOffset, 0);
        hostile.Save(file);

        var error = Assert.Throws<CorruptDatabaseException>(() => hostile.Run(db => db.BeginRead().Dispose(), "no catalog"));
        Assert.That(error!.PageNumber, Is.EqualTo(0));
    }

    [Test]
    public void A_catalog_record_naming_the_catalog_root_is_corruption()
    {
        HostileDatabase hostile = WithHoles();
        byte[] file = hostile.File();
        uint catalogRoot = BitConverter.ToUInt32(Page(file, PageSize, 0)[CatalogRootOffset..]);
        Span<byte> catalog = Page(file, PageSize, catalogRoot);
        byte[] record = [1 << 1, (byte)'t', 1]; // compact cell header (key length 1, no overflow), key "t", kind Tree
        int at = catalog.IndexOf(record);
        Assert.That(at, Is.Positive, "the catalog record of tree 't'");
        Assert.That(catalog.LastIndexOf(record), Is.EqualTo(at), "one match only");
        SetU32(file, PageSize, catalogRoot, at + record.Length, catalogRoot);
        hostile.Save(file);

        Assert.Throws<CorruptDatabaseException>(() => hostile.Run(db =>
        {
            using ReadTransaction tx = db.BeginRead();
            _ = tx.TreeNames;
        }, "shared root"));
    }
}
