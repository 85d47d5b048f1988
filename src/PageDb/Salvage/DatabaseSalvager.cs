using System.Buffers.Binary;
using System.Text;
using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Records;

namespace PageDb.Salvage;

/// <summary>
/// Copies every readable entry of a damaged database into a new one, as SQLite's <c>.recover</c> does: it looks at
/// every page, not only where the trees' links lead.
/// 1. Survey: every page is read (the newest committed WAL frame, else the file) and checked; the unreadable ones are
///    reported. The free list is walked so that freed pages, which keep their old contents (those freed by builds
///    from before free marks; a page freed now is rewritten as type Free), are not taken as data.
/// 2. The catalog is walked from the header's root; each object it names (tree, table, index) is walked from its
///    root, collecting its readable leaves and its holes (subtrees behind an unreadable page, with their key range).
/// 3. Every readable leaf no walk reached and not free is an orphan: it goes back to the one tree whose hole covers its
///    first key, else to a lost-and-found tree.
/// 4. The new database gets each tree with its entries, and each table with its schema, its rows and its indexes
///    (rebuilt from the rows, so they match them). Index trees themselves are not copied.
/// The damaged files are opened read-only and never written. The WAL is read when the database's identity names it, as
/// opening the database decides (<see cref="SalvagePages.Open"/>); a WAL of another database id is reported, not read,
/// unless the caller asks for it (a second candidate, taking the WAL's identity).
/// </summary>
internal sealed class DatabaseSalvager
{
    private const string LostAndFound = "lost_and_found";

    private readonly SalvagePages _pages;
    private readonly HashSet<uint> _reached = [];
    private readonly HashSet<uint> _free = [];
    private readonly List<long> _unreadable = [];
    private readonly List<string> _problems = [];

    private DatabaseSalvager(SalvagePages pages) => _pages = pages;

    /// <summary>Salvages <paramref name="damagedPath"/> into <paramref name="newPath"/>, which must not exist.</summary>
    public static SalvageReport Run(IStorage storage, string damagedPath, string newPath, PageDbOptions newOptions, bool readForeignWal)
    {
        using SalvagePages pages = SalvagePages.Open(storage, damagedPath, readForeignWal);
        return new DatabaseSalvager(pages).Run(newPath, newOptions);
    }

    private SalvageReport Run(string newPath, PageDbOptions newOptions)
    {
        if (_pages.ForeignWalIds is { } ids)
        {
            _problems.Add($"the WAL names database id {ids.Wal:x16}, the file header {ids.File:x16}: opening the database ignores such a WAL as another database's, and so did salvage (none of its frames was read); if it is this database's log, salvage again with the WAL's identity (pagedb recover --foreign-wal) for what it alone holds");
        }
        Survey();
        WalkFreeList();
        List<SalvagedObject> objects = WalkCatalog();
        List<(PageNumber Leaf, List<(byte[] Key, byte[] Value)> Entries)> lost = AssignOrphans(objects);
        using PageDatabase target = PageDatabase.Open(newPath, newOptions);
        List<(string, long)> recovered;
        string lostAndFound;
        using (WriteTransaction tx = target.BeginWrite())
        {
            recovered = [.. objects.Where(o => o.Entry.Kind != CatalogEntryKind.Index).Select(o => (o.Name, Write(tx, o, objects)))];
            lostAndFound = WriteLostAndFound(tx, lost);
            tx.Commit();
        }
        return new SalvageReport
        {
            PagesSurveyed = _pages.PageCount,
            UnreadablePages = _unreadable,
            Recovered = recovered,
            LostAndFoundEntries = lost.Sum(l => (long)l.Entries.Count),
            LostAndFoundTree = lostAndFound,
            Problems = _problems,
        };
    }

    private void Survey()
    {
        for (uint page = 0; page < _pages.PageCount; page++)
        {
            if (!_pages.TryRead(new PageNumber(page), out _))
                _unreadable.Add(page);
        }
    }

    private void WalkFreeList()
    {
        if (_pages.Header is null)
        {
            _problems.Add("page 0: the file header is unreadable: no catalog, no free list (every tree's entries go to " + LostAndFound + ")");
            return;
        }
        PageNumber trunk = new FileHeaderPageReader(_pages.Header).FreeListHead;
        while (!trunk.IsNone && _free.Add(trunk.Value))
        {
            if (!_pages.TryRead(trunk, out byte[]? image) || PageHeader.GetType(image) != PageType.FreeListTrunk)
            {
                _problems.Add($"page {trunk}: a free-list trunk is unreadable; the free pages it listed may be taken for data");
                return;
            }
            var reader = new FreeListTrunkPageReader(image);
            int count = Math.Min(reader.Count, FreeListTrunkPage.CapacityFor(image.Length));
            for (int i = 0; i < count; i++)
                _free.Add(reader.GetEntry(i).Value);
            trunk = reader.Next;
        }
    }

    private List<SalvagedObject> WalkCatalog()
    {
        var objects = new List<SalvagedObject>();
        PageNumber root = _pages.Header is null ? PageNumber.None : new FileHeaderPageReader(_pages.Header).CatalogRoot;
        if (root.IsNone)
            return objects;
        TreeWalk catalog = TreeWalk.Run(_pages, root, _reached);
        Report("the catalog", catalog);
        foreach ((byte[] key, byte[] value) in catalog.Leaves.SelectMany(ReadLeaf))
        {
            string name = Encoding.UTF8.GetString(key);
            try
            {
                CatalogEntry entry = CatalogEntry.Decode(value, _pages.FilePath, root);
                var walk = TreeWalk.Run(_pages, entry.Root, _reached);
                Report($"'{name}'", walk);
                objects.Add(new SalvagedObject(name, entry, walk, [.. walk.Leaves.SelectMany(ReadLeaf)]));
            }
            catch (CorruptDatabaseException e)
            {
                _problems.Add($"catalog entry '{name}': {e.Message}");
            }
        }
        return objects;
    }

    /// <summary>Gives each orphan leaf to the one tree whose hole covers its first key; returns the rest.</summary>
    private List<(PageNumber, List<(byte[], byte[])>)> AssignOrphans(List<SalvagedObject> objects)
    {
        var lost = new List<(PageNumber, List<(byte[], byte[])>)>();
        for (uint number = 1; number < _pages.PageCount; number++)
        {
            var page = new PageNumber(number);
            if (_reached.Contains(number) || _free.Contains(number) || !_pages.TryRead(page, out byte[]? image)
                || PageHeader.GetType(image) != PageType.BtreeLeaf)
                continue;
            List<(byte[] Key, byte[] Value)> entries = ReadLeaf(page);
            if (entries.Count == 0)
                continue;
            List<SalvagedObject> owners = [.. objects.Where(o => o.Walk.Holes.Any(h => Covers(h, entries[0].Key)))];
            if (owners.Count == 1)
                owners[0].Entries.AddRange(entries);
            else
                lost.Add((page, entries));
        }
        return lost;
    }

    private static bool Covers((byte[]? Low, byte[]? High) hole, byte[] key) =>
        (hole.Low is null || KeyComparer.Compare(key, hole.Low) >= 0) && (hole.High is null || KeyComparer.Compare(key, hole.High) < 0);

    /// <summary>
    /// The entries of one leaf, each with its whole value; an entry whose overflow chain is broken is reported. The
    /// cells are decoded directly, not through a cursor: a leaf read on its own is not a tree (its header records no
    /// entry count, which a cursor's walk would check against the entries it met).
    /// </summary>
    private List<(byte[] Key, byte[] Value)> ReadLeaf(PageNumber leaf)
    {
        var entries = new List<(byte[], byte[])>();
        try
        {
            if (!_pages.TryRead(leaf, out byte[]? image))
                ThrowHelper.ThrowCorrupt(_pages.FilePath, leaf, "unreadable (checksum, page number or type)");
            var reader = new SlottedPageReader(image, _pages.FilePath);
            for (int i = 0; i < reader.CellCount; i++)
            {
                LeafCell cell = LeafCell.Read(reader.GetCell(i), LeafCell.FormatOf(_pages), leaf, _pages.FilePath);
                byte[] key = cell.Key.ToArray();
                try
                {
                    entries.Add((key, cell.ToValueArray(_pages)));
                }
                catch (CorruptDatabaseException e)
                {
                    _problems.Add($"page {leaf}: the value of key 0x{Convert.ToHexString(key)} is lost: {e.Message}");
                }
            }
        }
        catch (CorruptDatabaseException e)
        {
            _problems.Add($"page {leaf}: {e.Message}");
        }
        return entries;
    }

    private void Report(string what, TreeWalk walk)
    {
        foreach (string problem in walk.Problems)
            _problems.Add($"{what}: {problem}");
    }

    /// <summary>Writes one tree or table (with the indexes the catalog lists for it); returns its entry count.</summary>
    private long Write(WriteTransaction tx, SalvagedObject source, List<SalvagedObject> objects)
    {
        Table? table = null;
        if (source.Entry.Kind == CatalogEntryKind.Table)
        {
            TableSchema schema = SchemaEncoding.DecodeTable(source.Name, source.Entry.Definition, _pages.FilePath);
            table = tx.CreateTable(schema);
        }
        else
        {
            tx.CreateTree(source.Name);
        }
        var catalog = new Catalog(tx.Pages);
        catalog.TryGet(source.Name, out CatalogEntry created);
        var tree = new BTree(tx.Pages, created.Root);
        foreach ((byte[] key, byte[] value) in source.Entries)
            tree.Put(key, value);
        if (table is not null)
            RebuildIndexes(tx, source.Name, objects);
        return tree.Count;
    }

    private void RebuildIndexes(WriteTransaction tx, string tableName, List<SalvagedObject> objects)
    {
        Table table = tx.GetTable(tableName);
        string prefix = tableName + "\0";
        foreach (SalvagedObject index in objects.Where(o => o.Entry.Kind == CatalogEntryKind.Index && o.Name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            string name = index.Name[prefix.Length..];
            try
            {
                (int[] ordinals, bool unique) = SchemaEncoding.DecodeIndex(index.Entry.Definition, table.Schema.Columns.Count, _pages.FilePath);
                table.CreateIndex(name, [.. ordinals.Select(o => table.Schema.Columns[o].Name)], unique);
            }
            catch (Exception e) when (e is PageDbException)
            {
                _problems.Add($"index '{name}' of '{tableName}' not rebuilt: {e.Message}");
            }
        }
    }

    private string WriteLostAndFound(WriteTransaction tx, List<(PageNumber Leaf, List<(byte[] Key, byte[] Value)> Entries)> lost)
    {
        if (lost.Count == 0)
            return "";
        string name = LostAndFound;
        for (int suffix = 2; tx.TreeNames.Contains(name) || tx.TableNames.Contains(name); suffix++)
            name = LostAndFound + suffix;
        Tree tree = tx.CreateTree(name);
        foreach ((PageNumber leaf, List<(byte[] Key, byte[] Value)> entries) in lost)
        {
            _problems.Add($"page {leaf}: a leaf no tree reached; its {entries.Count} entries are in '{name}'");
            foreach ((byte[] key, byte[] value) in entries)
            {
                if (key.Length + 4 > BTreeLimits.MaxKeyLength)
                {
                    _problems.Add($"page {leaf}: key 0x{Convert.ToHexString(key)} is too long to keep in '{name}' with its page number");
                    continue;
                }
                var prefixed = new byte[4 + key.Length];
                BinaryPrimitives.WriteUInt32BigEndian(prefixed, leaf.Value);
                key.CopyTo(prefixed, 4);
                tree.Put(prefixed, value);
            }
        }
        return name;
    }

    /// <summary>An object the catalog names, how its walk went, and the entries salvaged for it.</summary>
    private sealed record SalvagedObject(string Name, CatalogEntry Entry, TreeWalk Walk, List<(byte[] Key, byte[] Value)> Entries);
}
