using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// <see cref="PageDatabase.Salvage"/> (src/PageDb/Salvage): every entry on a page that is still readable reaches the
/// new database, in the tree it came from whenever the damage leaves that knowable; what
/// <see cref="PageDatabase.CheckIntegrity"/> flags is what is lost; the damaged files are never changed.
/// </summary>
public class SalvageTests
{
    private const string NewPath = "new.pagedb";
    private const int Rows = 3000;

    [Test]
    public void An_intact_database_is_copied_whole_with_its_schema_and_indexes()
    {
        MemoryStorage storage = BuildDamageable();
        Dictionary<string, List<(byte[], byte[])>> original = Pairs(storage, DbPath);

        SalvageReport report = PageDatabase.Salvage(DbPath, NewPath, Options(storage));

        Assert.That(report.IsComplete, Is.True, string.Join("\n", report.Problems));
        AssertRecovered(storage, original, lost: []);
        using PageDatabase salvaged = PageDatabase.Open(NewPath, Options(storage));
        using ReadTransaction tx = salvaged.BeginRead();
        Assert.That(tx.GetTable("orders").Schema.PrimaryKey, Is.EqualTo(new[] { "id" }));
        Assert.That(tx.GetTable("orders").Get(Row.Of(7L)), Is.EqualTo(Row.Of(7L, "customer 7", 3.5)));
        Assert.That(salvaged.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void Zeroed_leaves_lose_only_their_own_entries_which_the_integrity_check_flags()
    {
        MemoryStorage storage = BuildDamageable();
        Dictionary<string, List<(byte[], byte[])>> original = Pairs(storage, DbPath);
        PageNumber ordersLeaf = FirstChild(storage, "orders"), kvLeaf = FirstChild(storage, "kv");
        List<(byte[], byte[])> lost = [.. LeafPairs(storage, ordersLeaf), .. LeafPairs(storage, kvLeaf)];
        Damage(storage, ordersLeaf, zero: true);
        Damage(storage, kvLeaf, zero: true);
        byte[] damagedBytes = storage.GetContents(DbPath);

        SalvageReport report = PageDatabase.Salvage(DbPath, NewPath, Options(storage));

        Assert.That(report.UnreadablePages, Is.EquivalentTo(new long[] { ordersLeaf.Value, kvLeaf.Value }));
        AssertRecovered(storage, original, lost);
        Assert.That(FlaggedPages(storage), Is.SupersetOf(new[] { ordersLeaf.Value, kvLeaf.Value }),
            "what is lost is on pages the integrity check flags (it also flags what they linked to: overflow pages)");
        Assert.That(storage.GetContents(DbPath), Is.EqualTo(damagedBytes), "the damaged file is never changed");
    }

    [Test]
    public void Leaves_behind_a_broken_interior_page_go_back_to_their_tree()
    {
        MemoryStorage storage = BuildDamageable();
        Dictionary<string, List<(byte[], byte[])>> original = Pairs(storage, DbPath);
        Damage(storage, Root(storage, "orders"), zero: false); // one byte: the checksum fails

        SalvageReport report = PageDatabase.Salvage(DbPath, NewPath, Options(storage));

        Assert.That(report.UnreadablePages, Has.Count.EqualTo(1));
        Assert.That(report.LostAndFoundEntries, Is.Zero);
        AssertRecovered(storage, original, lost: []);
    }

    [TestCase(true, TestName = "With_the_catalog_damaged_every_entry_is_kept_in_lost_and_found")]
    [TestCase(false, TestName = "With_the_file_header_damaged_every_entry_is_kept_in_lost_and_found")]
    public void With_the_catalog_damaged_every_entry_is_kept_in_lost_and_found(bool catalog)
    {
        MemoryStorage storage = BuildDamageable();
        Dictionary<string, List<(byte[], byte[])>> original = Pairs(storage, DbPath);
        Damage(storage, catalog ? CatalogRoot(storage) : PageNumber.Header, zero: true);

        SalvageReport report = PageDatabase.Salvage(DbPath, NewPath, Options(storage));

        Assert.That(report.Recovered, Is.Empty);
        int catalogEntries = catalog ? 0 : original.Count; // without the header, the catalog's own leaf is an orphan too
        Assert.That(report.LostAndFoundEntries, Is.EqualTo(original.Values.Sum(p => p.Count) + catalogEntries), "rows, index entries and keys");
        using PageDatabase salvaged = PageDatabase.Open(NewPath, Options(storage));
        using ReadTransaction tx = salvaged.BeginRead();
        Assert.That(tx.GetTree(report.LostAndFoundTree).Count, Is.EqualTo(report.LostAndFoundEntries));
    }

    [Test]
    public void Commits_still_only_in_the_WAL_are_salvaged()
    {
        var storage = new MemoryStorage();
        PageDatabase db = PageDatabase.Open(DbPath, Options(storage));
        Put(db, "t", ("a", "1"));
        db.Checkpoint(CheckpointMode.Truncate);
        Put(db, "t", ("b", "2")); // in the WAL only
        var copy = new MemoryStorage(); // the files as a crash would leave them
        copy.SetContents(DbPath, storage.GetContents(DbPath));
        copy.SetContents(DbPath + "-wal", storage.GetContents(DbPath + "-wal"));
        db.Dispose();

        PageDatabase.Salvage(DbPath, NewPath, Options(copy));

        using PageDatabase salvaged = PageDatabase.Open(NewPath, Options(copy));
        using ReadTransaction tx = salvaged.BeginRead();
        Assert.That(Text(tx.GetTree("t").Get(Bytes("b"))), Is.EqualTo("2"));
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(2));
    }

    /// <summary>A table with an index (several leaves under an interior root) and a tree with overflow values.</summary>
    private static MemoryStorage BuildDamageable()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = PageDatabase.Open(DbPath, Options(storage));
        using WriteTransaction tx = db.BeginWrite();
        Table orders = tx.CreateTable(new TableSchema("orders",
            [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String), new Column("total", ColumnType.Double)],
            primaryKey: ["id"]));
        for (long i = 0; i < Rows; i++)
            orders.Insert(Row.Of(i, "customer " + i, i / 2.0));
        orders.CreateIndex("by_customer", ["customer"]);
        Tree kv = tx.CreateTree("kv");
        for (int i = 0; i < Rows; i++)
            kv.Put(Bytes($"key {i:D5}"), i % 100 == 0 ? new byte[10_000] : Bytes("value " + i));
        tx.Commit();
        return storage;
    }

    /// <summary>Every catalog object's raw (key, value) pairs, by name.</summary>
    private static Dictionary<string, List<(byte[], byte[])>> Pairs(MemoryStorage storage, string path)
    {
        using PageDatabase db = PageDatabase.Open(path, ReadOnlyOptions(storage));
        using ReadTransaction tx = db.BeginRead();
        var pairs = new Dictionary<string, List<(byte[], byte[])>>();
        foreach ((string name, CatalogEntry entry) in new Catalog(tx.Pages).Entries())
            pairs[name] = ScanPairs(tx, entry.Root);
        return pairs;
    }

    private static List<(byte[], byte[])> ScanPairs(ReadTransaction tx, PageNumber root)
    {
        var pairs = new List<(byte[], byte[])>();
        using BTreeCursor cursor = new BTree(tx.Pages, root).OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            pairs.Add((cursor.Key.ToArray(), cursor.Value.ToArray()));
        return pairs;
    }

    private static void AssertRecovered(MemoryStorage storage, Dictionary<string, List<(byte[], byte[])>> original, List<(byte[], byte[])> lost)
    {
        Dictionary<string, List<(byte[], byte[])>> recovered = Pairs(storage, NewPath);
        var lostKeys = new HashSet<string>(lost.Select(p => Convert.ToHexString(p.Item1)));
        foreach ((string name, List<(byte[], byte[])> pairs) in original)
        {
            if (name.Contains('\0', StringComparison.Ordinal))
            {
                Assert.That(recovered[name], Has.Count.EqualTo(recovered[name[..name.IndexOf('\0', StringComparison.Ordinal)]].Count),
                    $"the index '{name}' is rebuilt from the recovered rows");
                continue;
            }
            List<(byte[], byte[])> expected = [.. pairs.Where(p => !lostKeys.Contains(Convert.ToHexString(p.Item1)))];
            Assert.That(recovered[name], Is.EqualTo(expected), $"'{name}': {pairs.Count} entries, {pairs.Count - expected.Count} on damaged pages");
        }
    }

    private static PageNumber Root(MemoryStorage storage, string name)
    {
        using PageDatabase db = PageDatabase.Open(DbPath, ReadOnlyOptions(storage));
        using ReadTransaction tx = db.BeginRead();
        Assert.That(new Catalog(tx.Pages).TryGet(name, out CatalogEntry entry), Is.True);
        return entry.Root;
    }

    private static PageDbOptions ReadOnlyOptions(MemoryStorage storage) => new() { Storage = storage, ReadOnly = true };

    private static PageNumber CatalogRoot(MemoryStorage storage) =>
        new FileHeaderPageReader(storage.GetContents(DbPath)).CatalogRoot;

    /// <summary>The first child of a tree's interior root: a leaf, with these tree sizes.</summary>
    private static PageNumber FirstChild(MemoryStorage storage, string name)
    {
        PageNumber root = Root(storage, name);
        byte[] page = PageBytes(storage, root);
        Assert.That(PageHeader.GetType(page), Is.EqualTo(PageType.BtreeInterior), $"'{name}' needs more than one leaf");
        var child = new PageNumber(BitConverter.ToUInt32(new SlottedPageReader(page, DbPath).GetCell(0)[..4]));
        Assert.That(PageHeader.GetType(PageBytes(storage, child)), Is.EqualTo(PageType.BtreeLeaf));
        return child;
    }

    private static List<(byte[], byte[])> LeafPairs(MemoryStorage storage, PageNumber leaf)
    {
        using PageDatabase db = PageDatabase.Open(DbPath, ReadOnlyOptions(storage));
        using ReadTransaction tx = db.BeginRead();
        // The leaf's own cells: a cursor over a "tree" rooted at a leaf that is not a root would be refused, since a
        // walk's entries must match the root's count and only a real root records one.
        using PageHandle handle = tx.Pages.Read(leaf);
        var page = new SlottedPageReader(handle.Data, DbPath);
        var pairs = new List<(byte[], byte[])>();
        for (int i = 0; i < page.CellCount; i++)
        {
            LeafCell cell = LeafCell.Read(page.GetCell(i), LeafCell.FormatOf(tx.Pages), leaf, DbPath);
            pairs.Add((cell.Key.ToArray(), cell.ToValueArray(tx.Pages)));
        }
        return pairs;
    }

    private static byte[] PageBytes(MemoryStorage storage, PageNumber page) =>
        storage.GetContents(DbPath).AsSpan((int)page.FileOffset(4096), 4096).ToArray();

    private static void Damage(MemoryStorage storage, PageNumber page, bool zero)
    {
        byte[] file = storage.GetContents(DbPath);
        Span<byte> bytes = file.AsSpan((int)page.FileOffset(4096), 4096);
        if (zero)
            bytes.Clear();
        else
            bytes[2000] ^= 0x5a;
        storage.SetContents(DbPath, file);
    }

    private static List<uint> FlaggedPages(MemoryStorage storage)
    {
        try
        {
            using PageDatabase db = PageDatabase.Open(DbPath, ReadOnlyOptions(storage));
            return [.. db.CheckIntegrity().Problems.Select(p => (uint)(p.PageNumber ?? 0))];
        }
        catch (CorruptDatabaseException e)
        {
            return [(uint)(e.PageNumber ?? 0)];
        }
    }
}
