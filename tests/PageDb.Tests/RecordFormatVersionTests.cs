using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Tables keep the record format they were created with (the version byte of their catalog definition): a file
/// written by the build before compact records (Fixtures/format1-records.pagedb, fixed-slot records with the key
/// columns stored too) reads and writes as before, and a table created in it gets compact records. A file written by
/// the build before compact integer keys (Fixtures/format2-keys.pagedb, definition version 2: compact records, keys
/// with a tag and 8 bytes per integer) keeps its keys: lookups, range bounds and index entries are encoded as its
/// tables were written.
/// </summary>
public class RecordFormatVersionTests
{
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Test]
    public void A_file_of_fixed_slot_records_reads_writes_and_gains_compact_tables()
    {
        MemoryStorage storage = LoadFixture("format1-records.pagedb");
        using (PageDatabase db = Open(storage))
        {
            AssertFixtureRows(db);
            using (WriteTransaction tx = db.BeginWrite())
            {
                tx.GetTable("all_types").Insert(Row.Of(1000L, "new", 2.5, true, new byte[] { 1 }, Epoch, 9.99m));
                tx.GetTable("all_types").Upsert(Row.Of(1L, "changed", null, null, null, null, null));
                tx.GetTable("log").Insert(Row.Of("message 50"));
                CreateFreshTable(tx);
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
            AssertFreshTable(tx);
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    [Test]
    public void A_file_of_tagged_integer_keys_reads_writes_and_gains_compact_key_tables()
    {
        MemoryStorage storage = LoadFixture("format2-keys.pagedb");
        using (PageDatabase db = Open(storage))
        {
            AssertFormat2Rows(db);
            using (WriteTransaction tx = db.BeginWrite())
            {
                tx.GetTable("all_types").Insert(Row.Of(-999_999L, "new", 2.5, true, new byte[] { 1 }, Epoch, 9.99m));
                tx.GetTable("all_types").Delete(Row.Of(2000L));
                tx.GetTable("log").Insert(Row.Of("message 50"));
                tx.GetTable("events").Insert(Row.Of(Epoch.AddDays(-1), "before"));
                CreateFreshTable(tx);
                tx.Commit();
            }
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }

        using (PageDatabase db = Open(storage))
        {
            using ReadTransaction tx = db.BeginRead();
            Table all = tx.GetTable("all_types");
            Assert.That(all.Get(Row.Of(-999_999L)), Is.EqualTo(Row.Of(-999_999L, "new", 2.5, true, new byte[] { 1 }, Epoch, 9.99m)));
            Assert.That(all.Get(Row.Of(2000L)), Is.Null);
            Assert.That(all.Count, Is.EqualTo(300));
            Assert.That(Ids(all.IndexScan(null, Row.Of(-999_999L), Row.Of(-149_000L), columns: ["id"])), Is.EqualTo(new[] { -999_999L, -150_000, -149_000 }));
            Assert.That(tx.GetTable("log").Get(Row.Of(51L)), Is.EqualTo(Row.Of("message 50")));
            Assert.That(tx.GetTable("events").Get(Row.Of(Epoch.AddDays(-1))), Is.EqualTo(Row.Of(Epoch.AddDays(-1), "before")));
            AssertFreshTable(tx);
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    private static void AssertFormat2Rows(PageDatabase db)
    {
        using ReadTransaction tx = db.BeginRead();
        Table all = tx.GetTable("all_types");
        Assert.That(all.Count, Is.EqualTo(300));
        for (int i = -150; i < 150; i++)
        {
            int j = Math.Abs(i);
            Row expected = j % 7 == 0
                ? Row.Of((long)i * 1000, null, null, null, null, null, null)
                : Row.Of((long)i * 1000, "name " + i, i * 0.25, i % 2 == 0, new byte[] { (byte)j, 0, 255 }, Epoch.AddHours(j), i * 1.5m);
            Assert.That(all.Get(Row.Of((long)i * 1000)), Is.EqualTo(expected), $"row {i}");
        }
        Assert.That(Ids(all.IndexScan(null, Row.Of(-2000L), Row.Of(3000L), columns: ["id"])), Is.EqualTo(new[] { -2000L, -1000, 0, 1000, 2000, 3000 }));
        Assert.That(Ids(all.IndexScan("by_name", Row.Of("name -13"), Row.Of("name -13"), columns: ["id"])), Is.EqualTo(new[] { -13_000L }));
        Assert.That(Ids(all.IndexScan("by_at", Row.Of(Epoch.AddHours(1)), Row.Of(Epoch.AddHours(2)), columns: ["id"])), Is.EquivalentTo(new[] { -2000L, -1000, 1000, 2000 }));
        Assert.That(tx.GetTable("log").Get(Row.Of(50L)), Is.EqualTo(Row.Of("message 49")));
        Table pairs = tx.GetTable("pairs");
        Assert.That(pairs.Get(Row.Of("k3", -2L)), Is.EqualTo(Row.Of("k3", -2L, 4.5)));
        Assert.That(pairs.Count, Is.EqualTo(40));
        Assert.That(tx.GetTable("events").Get(Row.Of(Epoch.AddDays(3))), Is.EqualTo(Row.Of(Epoch.AddDays(3), "event 3")));
    }

    /// <summary>A storage holding the fixture file <paramref name="name"/> (from the build that wrote that format) at DbPath.</summary>
    private static MemoryStorage LoadFixture(string name)
    {
        var storage = new MemoryStorage();
        storage.SetContents(DbPath, File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", name)));
        return storage;
    }

    /// <summary>A table created in the old file, which gets the current formats; <see cref="AssertFreshTable"/> reads it back.</summary>
    private static void CreateFreshTable(WriteTransaction tx) =>
        tx.CreateTable(new TableSchema("fresh", [new Column("id", ColumnType.Int64), new Column("s", ColumnType.String)], ["id"]))
            .Insert(Row.Of(1L, "compact"));

    private static void AssertFreshTable(ReadTransaction tx) =>
        Assert.That(tx.GetTable("fresh").Get(Row.Of(1L)), Is.EqualTo(Row.Of(1L, "compact")));

    /// <summary>Column 0 (an Int64) of the rows of <paramref name="scan"/>, in scan order; disposes the scan.</summary>
    private static List<long> Ids(PageDb.Execution.PlanOperator scan)
    {
        using (scan)
        {
            var ids = new List<long>();
            scan.Open();
            for (Row? row = scan.Next(); row is not null; row = scan.Next())
                ids.Add(row.GetInt64(0));
            return ids;
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
