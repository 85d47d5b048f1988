using PageDb.Core.Pages;
using PageDb.Records;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The latest catalog lookups of read transactions, keyed by snapshot mark: a read transaction opening a tree or
/// table by name at a mark some reader already looked it up at takes the answer from here instead of reading the
/// header and descending the catalog (with a transaction per point lookup, that was over a third of its time).
/// </summary>
/// <remarks>
/// Exact, never stale: within one engine a mark names one committed state for good (marks only grow, across log
/// restarts too), so a lookup's answer at a mark is the same whenever it is made. Only snapshots use it; a write
/// transaction's catalog is its own. Thread-safe: each slot holds an immutable entry, read and replaced whole.
/// Small and direct-mapped by name: a miss costs one catalog lookup, as without the cache.
/// </remarks>
internal sealed class CatalogLookupCache
{
    private const int Slots = 16;

    private readonly Entry?[] _entries = new Entry?[Slots];

    /// <summary>The root (and, for a table, definition) that <paramref name="name"/> had at <paramref name="mark"/>, if cached.</summary>
    public bool TryGet(WalMark mark, string name, CatalogEntryKind kind, out PageNumber root, out TableDefinition? definition)
    {
        Entry? entry = Volatile.Read(ref _entries[SlotOf(name)]);
        if (entry is not null && entry.Mark == mark && entry.Kind == kind && string.Equals(entry.Name, name, StringComparison.Ordinal))
        {
            (root, definition) = (entry.Root, entry.Definition);
            return true;
        }
        (root, definition) = (default, null);
        return false;
    }

    /// <summary>Records what a catalog lookup of <paramref name="name"/> found at <paramref name="mark"/>.</summary>
    public void Add(WalMark mark, string name, CatalogEntryKind kind, PageNumber root, TableDefinition? definition) =>
        Volatile.Write(ref _entries[SlotOf(name)], new Entry(mark, name, kind, root, definition));

    private static int SlotOf(string name) => (name.GetHashCode() & int.MaxValue) % Slots;

    private sealed record Entry(WalMark Mark, string Name, CatalogEntryKind Kind, PageNumber Root, TableDefinition? Definition);
}
