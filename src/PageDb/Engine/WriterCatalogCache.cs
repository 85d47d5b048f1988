using PageDb.Core.Pages;
using PageDb.Records;

namespace PageDb.Engine;

/// <summary>
/// What write transactions found in the committed catalog for a table (its root, its definition and its indexes) or a
/// key-value tree (its root), so that a one-row commit (<c>GetTable</c> or <c>GetTree</c>, then a write) does not read
/// the header and descend the catalog per transaction to learn again what the last one learned. A tree's root page
/// never changes in its life (<c>BTree</c>), so its catalog entry changes only when the catalog is written.
/// </summary>
/// <remarks>
/// <para>
/// Exact, never stale, because of these rules:
/// <code>
///   1. Only write transactions use it, and only while the transaction holds the writer slot and has not written the
///      catalog itself (TransactionPages.CatalogWritten): its catalog is then the catalog of the last appended commit.
///   2. Every entry carries the generation it was found at; an entry of another generation is a miss.
///   3. WriteCycle.Append moves to the next generation, under the slot and before appending, for every commit that
///      wrote the catalog (Catalog.Add, Remove, Create; TransactionPages.StartOver, before a rebuilt catalog) and for every replicated commit,
///      whose page images may change anything. So the committed catalog is the same for every writer of a generation.
/// </code>
/// A rollback changes no committed state: an entry found before it stays exact. A commit lost to a failed sync fails
/// the engine, which refuses writers until it is reopened with a new cache.
/// </para>
/// <para>
/// Threads: used only by the slot's holder (rule 1), so one thread at a time, ordered by the WriteGate. Small and
/// direct-mapped by name: a miss costs the catalog walk it replaces.
/// </para>
/// </remarks>
internal sealed class WriterCatalogCache
{
    private const int Slots = 16;

    private readonly Entry?[] _entries = new Entry?[Slots];

    private long _generation;

    /// <summary>How many times a write transaction read the catalog (constructed a <see cref="Catalog"/>): for tests.</summary>
    public long CatalogReads { get; private set; }

    /// <summary>Rule 3: a commit that may change the catalog is being appended.</summary>
    public void NextGeneration() => _generation++;

    /// <summary>Counts a write transaction's catalog read.</summary>
    public void NoteCatalogRead() => CatalogReads++;

    /// <summary>
    /// The root and (for a table) definition of the object of <paramref name="kind"/> called <paramref name="name"/> in
    /// the committed catalog, if cached; a cached object of another kind is a miss.
    /// </summary>
    public bool TryGet(string name, CatalogEntryKind kind, out PageNumber root, out TableDefinition? definition)
    {
        Entry? entry = Find(name, kind);
        (root, definition) = entry is null ? (default, null) : (entry.Root, entry.Definition);
        return entry is not null;
    }

    /// <summary>
    /// Records that <paramref name="name"/> is an object of <paramref name="kind"/> with <paramref name="root"/> and,
    /// for a table, <paramref name="definition"/> in the committed catalog.
    /// </summary>
    public void Add(string name, CatalogEntryKind kind, PageNumber root, TableDefinition? definition) =>
        _entries[SlotOf(name)] = new Entry(_generation, name, kind, root, definition, null);

    /// <summary>The indexes of table <paramref name="name"/>, rooted at <paramref name="root"/>, in the committed catalog, if cached.</summary>
    public IndexEntry[]? TryGetIndexes(string name, PageNumber root)
    {
        Entry? entry = Find(name, CatalogEntryKind.Table);
        return entry is not null && entry.Root == root ? entry.Indexes : null;
    }

    /// <summary>Records the indexes of table <paramref name="name"/> beside its cached root and definition.</summary>
    public void AddIndexes(string name, PageNumber root, TableDefinition definition, IndexEntry[] indexes) =>
        _entries[SlotOf(name)] = new Entry(_generation, name, CatalogEntryKind.Table, root, definition, indexes);

    private Entry? Find(string name, CatalogEntryKind kind)
    {
        Entry? entry = _entries[SlotOf(name)];
        return entry is not null && entry.Generation == _generation && entry.Kind == kind
            && string.Equals(entry.Name, name, StringComparison.Ordinal) ? entry : null;
    }

    private static int SlotOf(string name) => (name.GetHashCode() & int.MaxValue) % Slots;

    /// <summary>One index of a cached table, as its catalog entry describes it.</summary>
    public sealed record IndexEntry(string Name, int[] Ordinals, bool Unique, PageNumber Root);

    private sealed record Entry(long Generation, string Name, CatalogEntryKind Kind, PageNumber Root, TableDefinition? Definition, IndexEntry[]? Indexes);
}
