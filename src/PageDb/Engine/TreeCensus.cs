using PageDb.Btree;

namespace PageDb.Engine;

/// <summary>Measures every tree of a snapshot, the catalog first, for <see cref="PageDatabase.GetStats"/>.</summary>
internal static class TreeCensus
{
    public static List<TreeStats> Describe(SnapshotPages pages)
    {
        var catalog = new Catalog(pages);
        var trees = new List<TreeStats> { Measure(pages, "(catalog)", "catalog", catalog.Root) };
        foreach ((string name, CatalogEntry entry) in catalog.Entries())
            trees.Add(Measure(pages, DisplayName(name), KindName(entry.Kind), entry.Root));
        return trees;
    }

    private static TreeStats Measure(SnapshotPages pages, string name, string kind, Core.Pages.PageNumber root)
    {
        BTreeVerification shape = BTreeVerifier.Verify(pages, root); // a damaged tree still has a shape; `check` reports damage
        return new TreeStats(name, kind, shape.Depth, shape.EntryCount, shape.LeafPages, shape.InteriorPages,
            shape.OverflowPages, shape.LeafFill);
    }

    /// <summary>An index is stored as "table\0index"; people read it as "table.index".</summary>
    private static string DisplayName(string catalogName) => catalogName.Replace('\0', '.');

    private static string KindName(CatalogEntryKind kind) => kind switch
    {
        CatalogEntryKind.Tree => "tree",
        CatalogEntryKind.Table => "table",
        CatalogEntryKind.Index => "index",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown catalog entry kind"),
    };
}
