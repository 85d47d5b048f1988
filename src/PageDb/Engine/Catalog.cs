using System.Buffers;
using System.Text;
using System.Text.Unicode;
using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>
/// The catalog: a B+tree whose root page is recorded in the file header, mapping each name (UTF-8 bytes) to a
/// <see cref="CatalogEntry"/>. Created with the database; its root page never changes.
/// A light view over one transaction's pages.
/// </summary>
internal readonly struct Catalog
{
    /// <summary>The longest name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 512;

    private readonly IPageAccessor _pages;
    private readonly BTree _tree;

    public Catalog(IPageAccessor pages)
    {
        _pages = pages;
        _tree = new BTree(pages, ReadRoot(pages));
        if (pages is TransactionPages transaction)
            transaction.CatalogCache.NoteCatalogRead();
    }

    /// <summary>The catalog tree's root page.</summary>
    public PageNumber Root => _tree.Root;

    /// <summary>Creates the catalog tree in a new database and records its root in the header.</summary>
    public static void Create(IPageAccessor pages)
    {
        NoteWrite(pages);
        PageNumber root = BTree.Create(pages);
        using PageHandle header = pages.Write(PageNumber.Header);
        new FileHeaderPage(header.Writable).CatalogRoot = root;
    }

    public bool TryGet(string name, out CatalogEntry entry)
    {
        bool found = _tree.TryGet(EncodeName(name), out byte[] record);
        entry = found ? CatalogEntry.Decode(record, _pages.FilePath, Root) : default;
        return found;
    }

    public void Add(string name, CatalogEntry entry)
    {
        NoteWrite(_pages);
        _tree.Put(EncodeName(name), entry.Encode());
    }

    public bool Remove(string name)
    {
        NoteWrite(_pages);
        return _tree.Delete(EncodeName(name));
    }

    /// <summary>Tells a write transaction's pages that its catalog is now its own (<see cref="WriterCatalogCache"/>, rule 3).</summary>
    public static void NoteWrite(IPageAccessor pages)
    {
        if (pages is TransactionPages transaction)
            transaction.NoteCatalogWrite();
    }

    /// <summary>
    /// The names of every object of <paramref name="kind"/>, in byte order of their UTF-8 encoding. A listing reads
    /// the whole catalog, so it also refuses an index of no table (<see cref="IndexesWithoutTable"/>): a renamed or
    /// retyped table entry would otherwise list as another object, its index unseen.
    /// </summary>
    public List<string> Names(CatalogEntryKind kind)
    {
        List<(string Name, CatalogEntry Entry)> entries = Entries();
        foreach ((string name, CatalogEntry entry) in IndexesWithoutTable(entries))
            ThrowHelper.ThrowCorrupt(_pages.FilePath, entry.Root, $"the catalog lists index '{name.Replace('\0', '.')}' of no table");
        return entries.Where(e => e.Entry.Kind == kind).Select(e => e.Name).ToList();
    }

    /// <summary>The index entries of <paramref name="entries"/> whose name ("table\0index") names no table entry.</summary>
    public static IEnumerable<(string Name, CatalogEntry Entry)> IndexesWithoutTable(List<(string Name, CatalogEntry Entry)> entries)
    {
        var tables = entries.Where(e => e.Entry.Kind == CatalogEntryKind.Table).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return entries.Where(e => e.Entry.Kind == CatalogEntryKind.Index
            && (e.Name.IndexOf('\0', StringComparison.Ordinal) is var end && (end < 0 || !tables.Contains(e.Name[..end]))));
    }

    /// <summary>Every catalog record with its name, in name order.</summary>
    public List<(string Name, CatalogEntry Entry)> Entries()
    {
        var entries = new List<(string, CatalogEntry)>();
        var roots = new HashSet<PageNumber> { Root };
        using BTreeCursor cursor = _tree.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
        {
            (string name, CatalogEntry entry) = DecodeRecord(cursor);
            if (!roots.Add(entry.Root)) // two names would read one tree (or the catalog itself) as their own
                ThrowHelper.ThrowCorrupt(_pages.FilePath, Root, $"the catalog gives '{name}' the root page {entry.Root.Value}, which is already a root");
            entries.Add((name, entry));
        }
        return entries;
    }

    /// <summary>The catalog records whose names start with <paramref name="prefix"/>, in name order.</summary>
    public List<(string Name, CatalogEntry Entry)> EntriesUnder(string prefix)
    {
        byte[] start = Encoding.UTF8.GetBytes(prefix);
        var entries = new List<(string, CatalogEntry)>();
        using BTreeCursor cursor = _tree.OpenCursor();
        for (bool more = cursor.Seek(start); more && cursor.Key.StartsWith(start); more = cursor.Next())
            entries.Add(DecodeRecord(cursor));
        return entries;
    }

    /// <summary>
    /// True when some catalog name starts with the UTF-8 bytes <paramref name="prefix"/>; allocates nothing, so a
    /// table's writes learn it has no index without listing the catalog.
    /// </summary>
    public bool HasEntriesUnder(ReadOnlySpan<byte> prefix) => _tree.HasKeyWithPrefix(prefix);

    /// <summary>
    /// The name and entry under the cursor. A name the API could not have stored (not UTF-8, too long, or with a zero
    /// character unless it is an index's "table\0index") is corruption: callers hand listed names back to the API,
    /// which would refuse them as bad arguments.
    /// </summary>
    private (string Name, CatalogEntry Entry) DecodeRecord(BTreeCursor cursor)
    {
        CatalogEntry entry = CatalogEntry.Decode(cursor.Value, _pages.FilePath, Root);
        ReadOnlySpan<byte> key = cursor.Key;
        bool named = key.Length <= MaxNameBytes && Utf8.IsValid(key) && key.Contains((byte)0) == (entry.Kind == CatalogEntryKind.Index);
        if (!named)
            ThrowHelper.ThrowCorrupt(_pages.FilePath, Root, "a catalog name is not one the database could have stored");
        return (Encoding.UTF8.GetString(key), entry);
    }

    /// <summary>Checks a name given by a caller: non-empty, at most <see cref="MaxNameBytes"/> UTF-8 bytes.</summary>
    public static byte[] EncodeName(string name)
    {
        Span<byte> bytes = stackalloc byte[MaxNameBytes];
        return bytes[..EncodeName(name, bytes)].ToArray();
    }

    /// <summary>
    /// Checks <paramref name="name"/> as <see cref="EncodeName(string)"/> does and writes its UTF-8 bytes into
    /// <paramref name="destination"/> (<see cref="MaxNameBytes"/> long), returning their count.
    /// </summary>
    public static int EncodeName(string name, Span<byte> destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!Encoding.UTF8.TryGetBytes(name, destination[..MaxNameBytes], out int written))
            throw new ArgumentException($"A name may be at most {MaxNameBytes} UTF-8 bytes long.", nameof(name));
        return written;
    }

    /// <summary>Hands the stored record of the encoded name to <paramref name="reader"/> in place, without copying it.</summary>
    public bool TryReadRecord<TState>(ReadOnlySpan<byte> encodedName, TState state, ReadOnlySpanAction<byte, TState> reader)
        where TState : allows ref struct =>
        _tree.TryRead(encodedName, state, reader);

    private static PageNumber ReadRoot(IPageAccessor pages)
    {
        using PageHandle header = pages.Read(PageNumber.Header);
        var fields = new FileHeaderPageReader(header.Data);
        PageNumber root = fields.CatalogRoot;
        if (root.IsNone)
            ThrowHelper.ThrowCorrupt(pages.FilePath, PageNumber.Header, "the header records no catalog");
        // The integrity check flags this too: a header counting more pages than the last commit records belongs to
        // another state of the file than the WAL (a commit that grew the database need not log the header, so fewer
        // is sound: HeaderPageCount).
        if (!HeaderPageCount.Fits(header.Data, pages.PageCount))
            ThrowHelper.ThrowCorrupt(pages.FilePath, PageNumber.Header, $"the header counts {fields.PageCount} pages, more than the {pages.PageCount} the last commit in the WAL records");
        return root;
    }
}
