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

    /// <summary>Bytes of the write-ahead log: its current file's log, plus the other file's while it still holds an older generation.</summary>
    public long WalBytes { get; init; }

    /// <summary>
    /// How long the oldest snapshot still held by a read transaction has been open (since the first reader of that
    /// snapshot began). GetStats reads through a transaction of its own, so with no other reader open this is nearly zero.
    /// </summary>
    public TimeSpan OldestReaderAge { get; init; }

    /// <summary>
    /// WAL bytes committed after the oldest open reader's snapshot: the log cannot forget them while that reader is
    /// open (it may hold back a restart or a switch of log files). Zero when no other reader is open.
    /// </summary>
    public long OldestReaderPinnedWalBytes { get; init; }

    /// <summary>
    /// Syncs of the write-ahead log that made commits durable since open. At <see cref="Durability.Full"/> concurrent
    /// commits share them (group commit: one sync acknowledges every commit appended before it), so commits divided by
    /// this is how many commits a sync acknowledged on average. Syncs made only for checkpoints are not counted.
    /// </summary>
    public long WalSyncs { get; init; }

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

    /// <summary>
    /// B+tree pages (leaves and interior pages of every tree, the catalog included) by how full they are: element i
    /// counts the pages whose cells and pointers fill at least i/10 and less than (i+1)/10 of the bytes they could
    /// hold (the last element includes full pages). Ten elements.
    /// </summary>
    public IReadOnlyList<long> FillHistogram { get; init; } = [];

    /// <summary>Named objects in the catalog: key-value trees, tables and secondary indexes.</summary>
    public int TreeCount { get; init; }

    /// <summary>Every B+tree's height, entries, pages and leaf fill: the catalog first, then the catalog's objects in name order.</summary>
    public IReadOnlyList<TreeStats> Trees { get; init; } = [];

    /// <summary>The replica's lag and last error when <see cref="PageDbOptions.Replication"/> is set, else null.</summary>
    public ReplicationStats? Replication { get; init; }
}
