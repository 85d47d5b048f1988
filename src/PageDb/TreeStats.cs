namespace PageDb;

/// <summary>The shape of one B+tree in the catalog, from <see cref="PageDatabase.GetStats"/>.</summary>
/// <param name="Name">The tree's or table's name; a secondary index reads "table.index"; the catalog itself "(catalog)".</param>
/// <param name="Kind">"tree" (key-value), "table", "index" or "catalog".</param>
/// <param name="Height">Levels from the root to the leaves: 1 for a tree that is a single leaf.</param>
/// <param name="Entries">Entries in the leaves (rows of a table, keys of an index).</param>
/// <param name="LeafPages">Leaf pages.</param>
/// <param name="InteriorPages">Interior pages.</param>
/// <param name="OverflowPages">Overflow pages holding the tails of large entries.</param>
/// <param name="LeafFill">How full the leaves are, 0..1: bytes of cells and pointers over the bytes they could hold.</param>
public sealed record TreeStats(
    string Name, string Kind, int Height, long Entries, long LeafPages, long InteriorPages, long OverflowPages, double LeafFill);
