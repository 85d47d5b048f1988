using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>W5: range scans of consecutive ids starting at random ids of W1's data.</summary>
public sealed class W5RangeScans : Workload
{
    private const ulong StartStream = 5;

    private long[]? _starts; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public override string Id => "W5";

    /// <inheritdoc/>
    public override string Title => "range scans of 100 ids";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } = [new("rows/s", HigherIsBetter: true)];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Loaded;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        SequentialDataset data = context.LoadedRows;
        int length = context.Sizes.RangeLength;
        _starts ??= context.Generator.RandomIds(context.Sizes.Ranges, data.FirstId, data.EndId - length + 1, StartStream);
        IBenchmarkReader reader = context.Readers.Get(0);

        Meter meter = Meter.Start();
        ScanTotals totals = default;
        foreach (long start in _starts)
        {
            totals += reader.ScanRange(start, start + length);
        }
        Measurement timed = meter.Stop(totals.Count);

        VerificationException.ThrowUnlessEqual(ExpectedTotals(data, length), totals, "range scans");
        return new RepetitionResult([timed.PerSecond], timed);
    }

    private ScanTotals ExpectedTotals(SequentialDataset data, int length)
    {
        ScanTotals expected = default;
        foreach (long start in _starts!)
        {
            expected += data.TotalsOfRange(start, start + length);
        }
        return expected;
    }
}
