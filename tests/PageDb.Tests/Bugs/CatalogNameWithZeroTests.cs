using System.Text;
using PageDb.Core.Pages;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.HostileDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15 (6 crafted files): a catalog whose table name holds a zero
/// character (only index names, "table\0index", may) was listed by <c>TableNames</c>, and <c>GetTable</c> then refused
/// the listed name with <see cref="ArgumentException"/>, as if the caller had made it up. A catalog name the API
/// could not have stored is now <see cref="CorruptDatabaseException"/> when the catalog is read.
/// </summary>
public class CatalogNameWithZeroTests
{
    [Test]
    public void A_table_name_with_a_zero_character_is_corruption()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = TestDatabase.Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            tx.CreateTable(new TableSchema("table1", [new Column("id", ColumnType.Int64)], primaryKey: ["id"]));
            tx.Commit();
        }
        byte[] file = storage.GetContents(TestDatabase.DbPath);
        byte[] name = Encoding.UTF8.GetBytes("table1");
        int at = FindCatalogKey(file, name);
        file[at + name.Length - 1] = 0; // "table\0": still sorts in place
        Reseal(file, PageSize, (uint)(at / PageSize));
        storage.SetContents(TestDatabase.DbPath, file);

        using PageDatabase reopened = TestDatabase.OpenDamaged(storage);
        using ReadTransaction read = reopened.BeginRead();
        Assert.Throws<CorruptDatabaseException>(() =>
        {
            foreach (string table in read.TableNames)
                read.GetTable(table);
        });
    }

    /// <summary>The offset of a leaf cell's key equal to <paramref name="key"/> (shorter than 64 bytes: preceded by the compact cell header, twice its length).</summary>
    private static int FindCatalogKey(byte[] file, byte[] key)
    {
        for (int at = 1; at + key.Length <= file.Length; at++)
        {
            if (file.AsSpan(at, key.Length).SequenceEqual(key) && file[at - 1] == key.Length << 1
                && TypeOf(file, PageSize, (uint)(at / PageSize)) == PageType.BtreeLeaf)
                return at;
        }
        throw new InvalidOperationException("the catalog key was not found");
    }
}
