using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine;
using static PageDb.Testing.PageSurgery;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by the hostile-file fuzzer of issue #15, which counted them apart instead of failing: 163 of 20,000 cases
/// (PAGEDB_SEED=12345) read every tree, table and index without an error but got changed data, while
/// <c>CheckIntegrity</c> flagged the file. The reads did not check what the check checks of the pages they pass: a
/// leaf's rightmost-child field, a non-root page's entry count, separators against the keys on either side of them, an
/// index entry against the row it names, bytes after a record's last column, the header's page count against the WAL's
/// last commit, an index entry of no table in the catalog. Each is now refused by the reads that reach it
/// (<see cref="CorruptDatabaseException"/>); the damage below is what the fuzzer's cases did. The check also stopped
/// checking the layout of free pages' old bytes, which nothing ever reads (their checksums are still checked). The two
/// classes only a walk of the whole file finds (damage confined to the free list, an overflow page reached from two
/// values) are README's "Hostile files".
/// </summary>
public class ReadsMissedWhatTheCheckFlaggedTests
{
    private const int PageSize = 4096;
    private const int RightmostChildOffset = 24; // user header 0-3
    private const int EntryCountOffset = 32;     // user header 8-15 (low half)

    [Test]
    public void A_leaf_recording_a_rightmost_child_is_refused()
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint leaf = PagesOfType(file, PageSize, PageType.BtreeLeaf).First(p => GetU16(file, PageSize, p, CellCountOffset) > 3);
        SetU32(file, PageSize, leaf, RightmostChildOffset, 20); // seed 12345 case 1: 0 -> 20
        storage.SetContents(DbPath, file);

        AssertScansRefused(storage);
    }

    [Test]
    public void A_non_root_page_recording_an_entry_count_is_refused()
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint leaf = PagesOfType(file, PageSize, PageType.BtreeLeaf).First(p => GetU16(file, PageSize, p, CellCountOffset) > 3);
        SetU32(file, PageSize, leaf, EntryCountOffset, 1); // seed 12345 case 542: 0 -> 1
        storage.SetContents(DbPath, file);

        AssertScansRefused(storage);
    }

    [Test]
    public void A_separator_out_of_place_is_refused_by_a_full_scan()
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint root = PagesOfType(file, PageSize, PageType.BtreeInterior).Single();
        int cell = GetU16(file, PageSize, root, PointerArrayOffset);
        // The first separator ("key 0xxx" truncated) now sorts above every key: the keys of the second leaf lie below
        // it, and a lookup there would search the first leaf. Keys still ascend, so only the separator shows it.
        Page(file, PageSize, root)[cell + 4] = (byte)'z';
        Reseal(file, PageSize, root);
        storage.SetContents(DbPath, file);

        AssertScansRefused(storage);
    }

    [Test]
    public void An_empty_leaf_below_the_root_is_refused()
    {
        (MemoryStorage storage, byte[] file) = TwoLevelTree();
        uint leaf = PagesOfType(file, PageSize, PageType.BtreeLeaf).First(p => GetU16(file, PageSize, p, CellCountOffset) > 3);
        SetNoCells(file, PageSize, leaf);
        storage.SetContents(DbPath, file);

        AssertScansRefused(storage);
    }

    [Test]
    public void An_index_entry_that_does_not_match_its_row_is_refused_by_an_index_scan()
    {
        using PageDatabase db = OpenDamaged(new MemoryStorage());
        FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table people = tx.GetTable("people");
            byte[] key = FirstKey(people.Tree);
            byte[] record = people.Tree.Get(key)!;
            record[^1] ^= 1; // seed 12345 case 1566: one byte of a row's name, the index still has the old name
            people.Tree.Put(key, record);
            tx.Commit();
        }
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTable("people").Scan().ToList(), Has.Count.EqualTo(50), "a table scan alone cannot tell a changed record from a written one");
        Assert.Throws<CorruptDatabaseException>(() => read.GetTable("people").IndexScan("by_name", null, null).ToList());
    }

    [Test]
    public void A_row_missing_from_its_index_is_refused_at_the_end_of_a_full_index_scan()
    {
        using PageDatabase db = OpenDamaged(new MemoryStorage());
        FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            BTree index = tx.GetTable("people").RequireIndex("by_name").Tree;
            index.Delete(FirstKey(index));
            tx.Commit();
        }
        using ReadTransaction read = db.BeginRead();
        Table people = read.GetTable("people");
        Assert.That(people.IndexScan("by_name", Row.Of("name 5"), Row.Of("name 5")).ToList(), Is.Not.Empty, "a range that does not span the index is not checked");
        Assert.Throws<CorruptDatabaseException>(() => people.IndexScan("by_name", null, null).ToList());
    }

    [Test]
    public void A_record_with_bytes_after_its_last_column_is_refused()
    {
        using PageDatabase db = OpenDamaged(new MemoryStorage());
        FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table people = tx.GetTable("people");
            byte[] key = FirstKey(people.Tree);
            people.Tree.Put(key, [.. people.Tree.Get(key)!, 0]);
            tx.Commit();
        }
        using ReadTransaction read = db.BeginRead();
        Assert.Throws<CorruptDatabaseException>(() => read.GetTable("people").Scan().ToList());
    }

    [Test]
    public void An_index_of_no_table_is_refused_by_a_listing()
    {
        using PageDatabase db = OpenDamaged(new MemoryStorage());
        FilledTable(db);
        using (WriteTransaction tx = db.BeginWrite())
        {
            // Seed 777 case 45384 changed the entry's kind byte, so "people" listed as a tree and its index as no one's.
            var catalog = new Catalog(tx.Pages);
            Assert.That(catalog.TryGet("people", out CatalogEntry table), Is.True);
            catalog.Add("people", new CatalogEntry(CatalogEntryKind.Tree, table.Root, []));
            tx.Commit();
        }
        using ReadTransaction read = db.BeginRead();
        Assert.Throws<CorruptDatabaseException>(() => _ = read.TreeNames);
        Assert.Throws<CorruptDatabaseException>(() => _ = read.TableNames);
    }

    [Test]
    public void The_old_bytes_of_a_free_page_are_not_checked()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree doomed = tx.CreateTree("doomed");
            for (int i = 0; i < 60; i++)
                doomed.Put(Bytes($"key {i:D3}"), new byte[200]);
            tx.Commit();
        }
        var free = new List<PageNumber>();
        using (PageDatabase db = Open(storage))
        {
            using (WriteTransaction tx = db.BeginWrite())
            {
                tx.DropTree("doomed");
                tx.Commit();
            }
            using ReadTransaction read = db.BeginRead();
            FreePageList.CollectPages(read.Pages, free);
        }
        byte[] file = storage.GetContents(DbPath);
        // A freed entry page is marked (type Free); the rest of its bytes are never read (a trunk is a free page too).
        uint freed = free.Select(p => p.Value).First(p => TypeOf(file, PageSize, p) == PageType.Free);
        SetU16(file, PageSize, freed, PointerArrayOffset, 0xBEEF); // seed 12345 case 2539: a cell pointer of a free page
        storage.SetContents(DbPath, file);

        using PageDatabase reopened = OpenDamaged(storage);
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True, "a free page's old cells are never read: a reuse overwrites them");
        using WriteTransaction write = reopened.BeginWrite();
        Tree tree = write.CreateTree("t");
        for (int i = 0; i < 60; i++)
            tree.Put(Bytes($"key {i:D3}"), new byte[200]);
        write.Commit();
    }

    private static void AssertScansRefused(MemoryStorage storage)
    {
        using PageDatabase db = OpenDamaged(storage);
        using ReadTransaction tx = db.BeginRead();
        foreach (bool descending in new[] { false, true })
        {
            using Cursor cursor = tx.GetTree("t").OpenCursor();
            Assert.Throws<CorruptDatabaseException>(() =>
            {
                for (bool more = descending ? cursor.SeekLast() : cursor.SeekFirst(); more; more = descending ? cursor.Previous() : cursor.Next())
                {
                }
            }, descending ? "backwards" : "forwards");
        }
        Assert.That(db.CheckIntegrity().IsOk, Is.False);
    }

    private static byte[] FirstKey(BTree tree)
    {
        using BTreeCursor cursor = tree.OpenCursor();
        Assert.That(cursor.SeekFirst(), Is.True);
        return cursor.Key.ToArray();
    }

    /// <summary>Table "people" with index "by_name" and 50 rows.</summary>
    private static void FilledTable(PageDatabase db)
    {
        using WriteTransaction tx = db.BeginWrite();
        Table people = tx.CreateTable(new TableSchema("people",
            [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String)], primaryKey: ["id"]));
        people.CreateIndex("by_name", ["name"]);
        for (long id = 0; id < 50; id++)
            people.Insert(Row.Of(id, $"name {id % 13}"));
        tx.Commit();
    }

    /// <summary>Tree "t" with a root interior page over several leaves, checkpointed into the file.</summary>
    internal static (MemoryStorage Storage, byte[] File) TwoLevelTree()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = OpenDamaged(storage))
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
