using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>
/// Vacuum by rebuilding: inside one write transaction, the page space is started over (page count 1, empty free
/// list) and every tree is bulk-loaded, in catalog order, from the transaction's own starting snapshot into freshly
/// numbered pages; then the catalog is bulk-loaded with the new roots. The old pages are only ever read through the
/// untouched snapshot, so overwriting their numbers with new content is safe. Committing records the smaller page
/// count; the truncating checkpoint that follows shrinks the file.
/// </summary>
internal static class Compactor
{
    public static void Rebuild(TransactionPages pages)
    {
        SnapshotPages before = pages.Snapshot;
        List<(string Name, CatalogEntry Entry)> objects = new Catalog(before).Entries();
        pages.StartOver();
        var catalog = new List<(byte[] Name, CatalogEntry Entry)>(objects.Count);
        foreach ((string name, CatalogEntry entry) in objects)
            catalog.Add((Catalog.EncodeName(name), entry with { Root = Copy(before, entry.Root, pages) }));
        PageNumber catalogRoot = LoadCatalog(pages, catalog);
        using PageHandle header = pages.Write(PageNumber.Header);
        new FileHeaderPage(header.Writable).CatalogRoot = catalogRoot;
    }

    private static PageNumber Copy(SnapshotPages source, PageNumber root, TransactionPages destination)
    {
        using var loader = new BTreeBulkLoader(destination);
        using BTreeCursor cursor = new BTree(source, root).OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            loader.Add(cursor.Key, cursor.Value);
        return loader.Complete();
    }

    private static PageNumber LoadCatalog(TransactionPages pages, List<(byte[] Name, CatalogEntry Entry)> catalog)
    {
        using var loader = new BTreeBulkLoader(pages);
        foreach ((byte[] name, CatalogEntry entry) in catalog)
            loader.Add(name, entry.Encode());
        return loader.Complete();
    }
}
