using RocksDbSharp;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// RocksDB through RocksDbSharp (the <c>RocksDB</c> NuGet package, native libraries included), set up as RocksDB's
/// "Setup Options and Basic Tuning" guide recommends: an LRU block cache of the shared cache size holding the index
/// and filter blocks too (level-0 ones pinned), a 10-bit Bloom filter, 16 KiB blocks, LZ4 compression,
/// <c>bytes_per_sync</c> 1 MiB and background threads for the cores. Keys and values are <see cref="PageDbRowCodec"/>'s.
/// </summary>
/// <remarks>
/// Durability: the write-ahead log is always on; <see cref="BenchDurability.Full"/> writes with
/// <c>WriteOptions.sync = true</c> (the WAL is synced before a write returns: RocksDB's documented way to survive a
/// machine crash), <see cref="BenchDurability.Normal"/> with the default <c>sync = false</c> (a machine crash may lose
/// the last writes, never consistency). A transaction is a <see cref="WriteBatch"/>, RocksDB's atomic unit, so W1 and
/// W2 each write one batch. Concurrent writers (W9) join RocksDB's own write groups, which share one WAL sync.
/// </remarks>
public sealed class RocksDbEngine : IBenchmarkEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("rocksdb", Describe, settings => new RocksDbEngine(settings), "*.sst");

    private const ulong BlockSizeBytes = 16 << 10;
    private const ulong BytesPerSync = 1 << 20;
    private const int BloomBitsPerKey = 10;

    private readonly RocksDb _database;
    private readonly WriteOptions _writeOptions;
    private byte[] _value = new byte[512];

    private RocksDbEngine(EngineSettings settings)
    {
        BlockBasedTableOptions table = new BlockBasedTableOptions()
            .SetBlockCache(Cache.CreateLru((ulong)settings.CacheSizeBytes))
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true)
            .SetFilterPolicy(BloomFilterPolicy.Create(BloomBitsPerKey, false))
            .SetBlockSize(BlockSizeBytes);
        DbOptions options = new DbOptions()
            .SetCreateIfMissing(true)
            .IncreaseParallelism(Environment.ProcessorCount)
            .SetBytesPerSync(BytesPerSync)
            .SetCompression(Compression.Lz4)
            .SetBlockBasedTableFactory(table);
        _database = RocksDb.Open(options, settings.Folder);
        _writeOptions = new WriteOptions().SetSync(settings.Durability == BenchDurability.Full);
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        Span<byte> key = stackalloc byte[PageDbRowCodec.KeyLength];
        using var batch = new WriteBatch();
        foreach (ref readonly BenchRow row in rows.Span)
        {
            PageDbRowCodec.WriteKey(row.Id, key);
            batch.Put(key, PageDbRowCodec.EncodeValue(row, ref _value));
        }
        _database.Write(batch, _writeOptions);
    }

    /// <summary>A single put is its own atomic write; thread-safe (W9), so its buffers are the caller's stack.</summary>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        Span<byte> key = stackalloc byte[PageDbRowCodec.KeyLength];
        Span<byte> value = stackalloc byte[PageDbRowCodec.MaxValueLength(row)];
        PageDbRowCodec.WriteKey(row.Id, key);
        _database.Put(key, value[..PageDbRowCodec.WriteValue(row, value)], cf: null, _writeOptions);
    }

    /// <summary>The database object is thread-safe; each reader has its own read options.</summary>
    public IBenchmarkReader OpenReader() => new RocksDbReader(_database);

    /// <summary>Flushes the memtables into SST files and waits for the flush.</summary>
    public void Checkpoint() => _database.Flush(new FlushOptions().SetWaitForFlush(true));

    /// <inheritdoc/>
    public void Dispose() => _database.Dispose();

    private static string Describe() =>
        $"RocksDB via RocksDbSharp {typeof(RocksDb).Assembly.GetName().Version}; WAL, sync=true (full) / false (relaxed), " +
        "LRU block cache with index and filter blocks, Bloom 10 bits/key, 16 KiB blocks, LZ4, big-endian id keys";
}
