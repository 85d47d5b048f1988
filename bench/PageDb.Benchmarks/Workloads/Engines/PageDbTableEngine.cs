using PageDb.Benchmarks.Workloads.Data;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// PageDb through its tables API: one table <c>rows(id Int64 primary key, name String, value Double, payload String)</c>,
/// page size 4096, the shared cache size, Durability.Full or Normal by the workload. Rows go in through
/// <see cref="Table.Insert(RowBuilder)"/> from a builder each thread reuses (as the SQLite adapter reuses its prepared
/// command and parameters); reads use <see cref="Table.Get"/>, <see cref="Table.Scan"/> and the primary-key
/// <see cref="Table.IndexScan"/> (see <see cref="PageDbTableReader"/>).
/// </summary>
public sealed class PageDbTableEngine : IBenchmarkEngine, IAsyncCommitEngine, ICommitSyncCountingEngine, IAnalyticsEngine
{
    /// <summary>How the runner names and opens this engine.</summary>
    public static EngineDescriptor Descriptor { get; } = new("pagedb-table", Describe, settings => new PageDbTableEngine(settings), FileName);

    /// <summary>The table's name.</summary>
    internal const string TableName = "rows";

    private const string FileName = "bench.pagedb";

    private static readonly TableSchema Schema = new(TableName,
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String),
         new Column("value", ColumnType.Double), new Column("payload", ColumnType.String)],
        primaryKey: ["id"]);

    // The builder rows are filled into before an insert: one per thread, since W9's committers insert concurrently
    // (an async insert fills and inserts it with no await in between).
    [ThreadStatic]
    private static RowBuilder? t_row;

    private readonly PageDatabase _database;

    private PageDbTableEngine(EngineSettings settings)
    {
        _database = PageDatabase.Open(Path.Combine(settings.Folder, FileName), new PageDbOptions
        {
            PageSize = 4096,
            CacheSizeBytes = settings.CacheSizeBytes,
            Durability = settings.Durability == BenchDurability.Full ? Durability.Full : Durability.Normal,
        });
        using WriteTransaction transaction = _database.BeginWrite();
        transaction.CreateTable(Schema);
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void BulkInsert(ReadOnlyMemory<BenchRow> rows)
    {
        using WriteTransaction transaction = _database.BeginWrite();
        Table table = transaction.GetTable(TableName);
        foreach (ref readonly BenchRow row in rows.Span)
            table.Insert(Fill(row));
        transaction.Commit();
    }

    /// <inheritdoc/>
    public void InsertInOwnTransaction(in BenchRow row)
    {
        using WriteTransaction transaction = _database.BeginWrite();
        transaction.GetTable(TableName).Insert(Fill(row));
        transaction.Commit();
    }

    /// <inheritdoc/>
    public async Task InsertInOwnTransactionAsync(BenchRow row)
    {
        WriteTransaction transaction = await _database.BeginWriteAsync().ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            transaction.GetTable(TableName).Insert(Fill(row));
            await transaction.CommitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>W10's tables through the tables API (<see cref="PageDbTableLineItems"/>).</summary>
    public void LoadLineItems(LineItemDataset data) => PageDbTableLineItems.Load(_database, data);

    /// <summary>W10's query as hand-built operators (<see cref="PageDbTableLineItems"/>).</summary>
    public IReadOnlyList<PricingSummaryRow> PricingSummary(string shipDateCutoff) => PageDbTableLineItems.PricingSummary(_database, shipDateCutoff);

    /// <inheritdoc/>
    public long CommitSyncs => _database.GetStats().WalSyncs;

    /// <inheritdoc/>
    public IBenchmarkReader OpenReader() => new PageDbTableReader(_database);

    /// <summary>Copies every WAL frame into the database file.</summary>
    public void Checkpoint() => _database.Checkpoint(CheckpointMode.Full);

    /// <inheritdoc/>
    public void Dispose() => _database.Dispose();

    /// <summary>This thread's builder, holding <paramref name="row"/>'s values.</summary>
    private static RowBuilder Fill(in BenchRow row)
    {
        RowBuilder builder = t_row ??= new RowBuilder(4);
        builder.Set(0, row.Id);
        builder.Set(1, row.Name);
        builder.Set(2, row.Value);
        builder.Set(3, row.Payload);
        return builder;
    }

    private static string Describe() =>
        $"PageDb {typeof(PageDatabase).Assembly.GetName().Version} tables API; page size 4096, WAL, table rows(id Int64 primary key, name, value, payload)";
}
