using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>W2: rows with distinct random int64 ids (negative ones too) inserted in one transaction.</summary>
public sealed class W2RandomInsert : Workload
{
    private const ulong KeyStream = 2;

    private BenchRow[]? _rows; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public override string Id => "W2";

    /// <inheritdoc/>
    public override string Title => "random-key insert, 1 tx";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } = [new("rows/s", HigherIsBetter: true)];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Fresh;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        _rows ??= context.Generator.RandomKeyRows(context.Sizes.RandomRows, KeyStream);
        Meter meter = Meter.Start();
        context.Engine.BulkInsert(_rows);
        Measurement timed = meter.Stop(_rows.Length);
        VerificationException.ThrowUnlessEqual(ScanTotals.Of(_rows), context.Readers.Get(0).ScanAll(), "scan after W2");
        return new RepetitionResult([timed.PerSecond], timed);
    }
}
