using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>W3: random point lookups of whole rows by id on W1's data, one thread, warm cache.</summary>
public sealed class W3PointLookups : Workload
{
    private const ulong KeyStream = 3;
    private const int FullyCheckedLookups = 1_000;

    private long[]? _ids; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public override string Id => "W3";

    /// <inheritdoc/>
    public override string Title => "point lookups, 1 thread";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } = [new("lookups/s", HigherIsBetter: true)];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Loaded;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        SequentialDataset data = context.LoadedRows;
        _ids ??= context.Generator.RandomIds(context.Sizes.Lookups, data.FirstId, data.EndId, KeyStream);
        IBenchmarkReader reader = context.Readers.Get(0);

        Meter meter = Meter.Start();
        LookupTotals totals = LookupTotals.Measure(reader, _ids);
        Measurement timed = meter.Stop(_ids.Length);

        totals.Verify(data, _ids);
        CheckWholeRows(reader, data);
        return new RepetitionResult([timed.PerSecond], timed);
    }

    /// <summary>The timed loop only checks lengths and sums; here a sample of rows is compared field by field.</summary>
    private void CheckWholeRows(IBenchmarkReader reader, SequentialDataset data)
    {
        int count = Math.Min(FullyCheckedLookups, _ids!.Length);
        for (int i = 0; i < count; i++)
        {
            long id = _ids[i];
            bool found = reader.TryGet(id, out BenchRow row);
            VerificationException.ThrowUnless(found && row == data.RowOf(id), $"lookup of id {id} returned a different row");
        }
    }
}
