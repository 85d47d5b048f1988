namespace PageDb;

/// <summary>A snapshot of a database's size and cache figures, from <see cref="PageDatabase.GetStats"/>.</summary>
public sealed class DatabaseStats
{
    /// <summary>Page size in bytes.</summary>
    public int PageSize { get; init; }

    /// <summary>Pages in the database as of the latest commit (including the header page).</summary>
    public long PageCount { get; init; }

    /// <summary>Pages on the free list.</summary>
    public long FreePages { get; init; }

    /// <summary>Size of the write-ahead log file in bytes.</summary>
    public long WalBytes { get; init; }

    /// <summary>Committed frames in the WAL not yet copied into the database file.</summary>
    public long WalFrames { get; init; }

    /// <summary>Buffer pool hits since open.</summary>
    public long CacheHits { get; init; }

    /// <summary>Buffer pool misses since open.</summary>
    public long CacheMisses { get; init; }

    /// <summary>Buffer pool evictions since open.</summary>
    public long CacheEvictions { get; init; }

    /// <summary>Pages of each type reachable in the latest snapshot (free-list entries counted as free pages).</summary>
    public IReadOnlyDictionary<string, long> PagesByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Named key-value trees (and tables) in the catalog.</summary>
    public int TreeCount { get; init; }
}
