using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W1: W1's rows (ascending ids) inserted in one transaction into an empty database; then the size of every file in the
/// engine's folder ("files MB": database, log, lock and shared-memory files), then, after a checkpoint
/// (<see cref="IBenchmarkEngine.Checkpoint"/>), of the database files alone ("db file MB",
/// <see cref="EngineDescriptor.DatabaseFiles"/>: for SQLite without its WAL, for RocksDB its SST files).
/// </summary>
public sealed class W1BulkInsert : Workload
{
    private const double Megabyte = 1 << 20;

    /// <inheritdoc/>
    public override string Id => "W1";

    /// <inheritdoc/>
    public override string Title => "bulk insert, ascending ids, 1 tx";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
        [new("rows/s", HigherIsBetter: true), new("files MB", HigherIsBetter: false), new("db file MB", HigherIsBetter: false)];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Fresh;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        BenchRow[] rows = context.LoadedRows.Rows;
        Meter meter = Meter.Start();
        context.Engine.BulkInsert(rows);
        Measurement timed = meter.Stop(rows.Length);
        double filesMegabytes = context.FolderBytes() / Megabyte;
        context.Engine.Checkpoint();
        double databaseMegabytes = context.DatabaseBytes() is { } bytes ? bytes / Megabyte : double.NaN;
        VerificationException.ThrowUnlessEqual(context.LoadedRows.Totals, context.Readers.Get(0).ScanAll(), "scan after W1");
        return new RepetitionResult([timed.PerSecond, filesMegabytes, databaseMegabytes], timed);
    }
}
