using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Tables keep the record format they were created with (the version byte of their catalog definition): a file
/// written by the build before compact records (Fixtures/format1-records.pagedb, fixed-slot records with the key
/// columns stored too) reads and writes as before, and a table created in it gets compact records.
/// </summary>
public class RecordFormatVersionTests
{
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Test]
    public void A_file_of_fixed_slot_records_reads_writes_and_gains_compact_tables()
    {
        var storage = new MemoryStorage();
        storage.SetContents(DbPath, File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "format1-records.pagedb")));
        using (PageDatabase db = Open(storage))
        {
            AssertFixtureRows(db);
            using (WriteTransaction tx = db.BeginWrite())
            {
                tx.GetTable("all_types").Insert(Row.Of(1000L, "new", 2.5, true, new byte[] { 1 }, Epoch, 9.99m));
                tx.GetTable("all_types").Upsert(Row.Of(1L, "changed", null, null, null, null, null));
                tx.GetTable("log").Insert(Row.Of("message 50"));
                Table fresh = tx.CreateTable(new TableSchema("fresh", [new Column("id", ColumnType.Int64), new Column("s", ColumnType.String)], ["id"]));
                fresh.Insert(Row.Of(1L, "compact"));
                tx.Commit();
            }
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }

        using (PageDatabase db = Open(storage))
        {
            using ReadTransaction tx = db.BeginRead();
            Table all = tx.GetTable("all_types");
            Assert.That(all.Get(Row.Of(1000L)), Is.EqualTo(Row.Of(1000L, "new", 2.5, true, new byte[] { 1 }, Epoch, 9.99m)));
            Assert.That(all.Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, "changed", null, null, null, null, null)));
            Assert.That(all.Count, Is.EqualTo(301));
            Assert.That(tx.GetTable("log").Get(Row.Of(51L)), Is.EqualTo(Row.Of("message 50")));
            Assert.That(tx.GetTable("fresh").Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, "compact")));
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    private static void AssertFixtureRows(PageDatabase db)
    {
        using ReadTransaction tx = db.BeginRead();
        Table all = tx.GetTable("all_types");
        Assert.That(all.Count, Is.EqualTo(300));
        for (int i = 0; i < 300; i++)
        {
            Row expected = i % 7 == 0
                ? Row.Of((long)i, null, null, null, null, null, null)
                : Row.Of((long)i, "name " + i, i * 0.25, i % 2 == 0, new byte[] { (byte)i, 0, 255 }, Epoch.AddHours(i), i * 1.5m);
            Assert.That(all.Get(Row.Of((long)i)), Is.EqualTo(expected), $"row {i}");
        }
        using (var byName = all.IndexScan("by_name", Row.Of("name 13"), Row.Of("name 13"), columns: ["id"]))
        {
            byName.Open();
            Assert.That(byName.Next()!.GetInt64(0), Is.EqualTo(13));
        }
        Assert.That(tx.GetTable("log").Get(Row.Of(50L)), Is.EqualTo(Row.Of("message 49")));
        Table pairs = tx.GetTable("pairs");
        Assert.That(pairs.Get(Row.Of("k3", 8L)), Is.EqualTo(Row.Of("k3", 8L, 1.0)));
        Assert.That(pairs.Count, Is.EqualTo(40));
    }
}
