namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// PageDb through its key-value API: one tree, the row encoded by <see cref="PageDbRowCodec"/>, page size 4096, the
/// shared cache size, Durability.Full or Normal by the workload.
/// </summary>
public sealed class PageDbKvEngine : IBenchmarkEngine, IAsyncCommitEngine, ICommitSyncCountingEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("pagedb-kv", Describe, settings => new PageDbKvEngine(settings), FileName);

    private const string FileName = "bench.pagedb";
    private const string TreeName = "rows";

    private readonly PageDatabase _database;
    // Used only inside a write transaction, so BeginWrite's writer slot keeps concurrent committers (W9) apart.
    private readonly byte[] _key = new byte[PageDbRowCodec.KeyLength];
    private byte[] _value = new byte[512];

    private PageDbKvEngine(EngineSettings settings)
    {
        _database = PageDatabase.Open(Path.Combine(settings.Folder, FileName), new PageDbOptions
        {
            PageSize = 4096,
            CacheSizeBytes = settings.CacheSizeBytes,
            Durability = settings.Durability == BenchDurability.Full ? Durability.Full : Durability.Normal,
            Replication = settings.Replication,
        });
        using WriteTransaction transaction = _database.BeginWrite();
        transaction.CreateTree(TreeName);
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        using WriteTransaction transaction = _database.BeginWrite();
        Tree tree = transaction.GetTree(TreeName);
        foreach (ref readonly BenchRow row in rows.Span)
            Put(tree, row);
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        using WriteTransaction transaction = _database.BeginWrite();
        Put(transaction.GetTree(TreeName), row);
        transaction.Commit();
    }

    /// <inheritdoc/>
    public async Task InsertInOwnTransactionAsync(BenchRow row)
    {
        WriteTransaction transaction = await _database.BeginWriteAsync().ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            Put(transaction.GetTree(TreeName), row);
            await transaction.CommitAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public long CommitSyncs => _database.GetStats().WalSyncs;

    /// <inheritdoc/>
    public IBenchmarkReader OpenReader() => new PageDbKvReader(_database, TreeName);

    /// <summary>Copies every WAL frame into the database file.</summary>
    public void Checkpoint() => _database.Checkpoint(CheckpointMode.Full);

    /// <inheritdoc/>
    public void Dispose() => _database.Dispose();

    private void Put(Tree tree, in BenchRow row)
    {
        PageDbRowCodec.WriteKey(row.Id, _key);
        tree.Put(_key, PageDbRowCodec.EncodeValue(row, ref _value));
    }

    private static string Describe() =>
        $"PageDb {typeof(PageDatabase).Assembly.GetName().Version} key-value API; page size 4096, WAL, one tree keyed by big-endian id";
}
