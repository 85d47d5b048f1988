using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>W4: read every row of W1's data in key order and sum the values.</summary>
public sealed class W4FullScan : Workload
{
    /// <inheritdoc/>
    public override string Id => "W4";

    /// <inheritdoc/>
    public override string Title => "full scan, sum(value)";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } = [new("rows/s", HigherIsBetter: true)];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Loaded;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        IBenchmarkReader reader = context.Readers.Get(0);
        Meter meter = Meter.Start();
        ScanTotals totals = reader.ScanAll();
        Measurement timed = meter.Stop(totals.Count);
        VerificationException.ThrowUnlessEqual(context.LoadedRows.Totals, totals, "full scan");
        return new RepetitionResult([timed.PerSecond], timed);
    }
}
