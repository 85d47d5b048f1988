using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Engine;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the structure-aware fuzzer of issue #15 (213 files passed <c>CheckIntegrity</c> and then failed on read, 84
/// passed it and were broken by one ordinary write): the check decoded no record, schema or index definition, did not
/// match index entries with table rows, and did not add up an overflow chain against its value's length. Each gap is
/// made here by a buggy writer (the engine's own trees changed behind the table's back, or a page field with its
/// checksum recomputed), and the check must name it.
/// </summary>
public class IntegrityCheckGapsTests
{
    private static TableSchema People() => new("people",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)], primaryKey: ["id"]);

    [Test]
    public void A_row_without_its_index_entry_is_reported()
    {
        using PageDatabase db = OpenDamaged(new MemoryStorage());
        PageNumber indexRoot = FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            var index = new BTree(tx.Pages, indexRoot);
            byte[] first;
            using (BTreeCursor cursor = index.OpenCursor())
            {
                cursor.SeekFirst();
                first = cursor.Key.ToArray();
            }
            index.Delete(first);
            tx.Commit();
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.Problems.Any(p => p.Message.Contains("no entry in index 'by_name'", StringComparison.Ordinal)), Is.True, report.ToString());
    }

    [Test]
    public void An_index_entry_without_its_row_is_reported()
    {
        using PageDatabase db = OpenDamaged(new MemoryStorage());
        PageNumber indexRoot = FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            new BTree(tx.Pages, indexRoot).Put(Bytes("zzz not a row"), Bytes("none"));
            tx.Commit();
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.Problems.Any(p => p.Message.Contains("51 entries for 50 rows", StringComparison.Ordinal)), Is.True, report.ToString());
    }

    [Test]
    public void A_record_that_does_not_decode_is_reported()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenDamaged(storage);
        FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Assert.That(new Catalog(tx.Pages).TryGet("people", out CatalogEntry table), Is.True);
            var tree = new BTree(tx.Pages, table.Root);
            using BTreeCursor cursor = tree.OpenCursor();
            cursor.SeekFirst();
            byte[] key = cursor.Key.ToArray();
            cursor.Dispose();
            tree.Put(key, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
            tx.Commit();
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.Problems.Any(p => p.Message.Contains("table 'people'", StringComparison.Ordinal)), Is.True, report.ToString());
    }

    [Test]
    public void An_overflow_chain_shorter_than_its_value_is_reported()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
            Put(db, "t", ("big", new string('x', 10_000)));
        byte[] file = storage.GetContents(DbPath);
        uint last = PagesOfType(file, 4096, PageType.Overflow).Single(page => BitConverter.ToUInt32(file, (int)(page * 4096) + 16) == 0);
        uint length = BitConverter.ToUInt32(file, (int)(last * 4096) + 20);
        SetU32(file, 4096, last, 20, length - 1); // the last link stores one byte less
        storage.SetContents(DbPath, file);

        using PageDatabase reopened = OpenDamaged(storage);
        IntegrityReport report = reopened.CheckIntegrity();
        Assert.That(report.Problems.Any(p => p.Message.Contains("overflow chain", StringComparison.Ordinal)), Is.True, report.ToString());
    }

    /// <summary>Table "people" with index "by_name" and 50 rows; returns the index tree's root.</summary>
    private static PageNumber FilledTable(PageDatabase db)
    {
        using WriteTransaction tx = db.BeginWrite();
        Table people = tx.CreateTable(People());
        people.CreateIndex("by_name", ["name"]);
        for (long id = 0; id < 50; id++)
            people.Insert(Row.Of(id, $"name {id % 13}"));
        Assert.That(new Catalog(tx.Pages).TryGet("people\0by_name", out CatalogEntry index), Is.True);
        tx.Commit();
        return index.Root;
    }
}
