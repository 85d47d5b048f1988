using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W10: a TPC-H Q1-like pricing summary (sums, averages and a count grouped by return flag, line status and the
/// part's manufacturer, over the lines shipped by a date) on <see cref="WorkloadSizes.LineItems"/> lines joined with a
/// <c>part</c> table 50 times smaller (<see cref="IAnalyticsEngine"/>). Each repetition loads a fresh database
/// (untimed), runs the query once untimed (the engine's plan and pages warm) and once timed; both answers must equal
/// the one <see cref="LineItemDataset.ExpectedSummary"/> computes, group by group.
/// </summary>
public sealed class W10PricingSummary : Workload
{
    /// <summary>TPC-H Q1's cutoff: 90 days before the last ship date, so about 96% of the lines are summed.</summary>
    public const string ShipDateCutoff = "1998-09-02";

    private LineItemDataset? _data; // generated on first use, then shared by every repetition and engine
    private PricingSummaryRow[]? _expected;

    /// <inheritdoc/>
    public override string Id => "W10";

    /// <inheritdoc/>
    public override string Title => "group-by/join query (TPC-H Q1-like)";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("lines/s", HigherIsBetter: true),
        new("query ms", HigherIsBetter: false),
    ];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Fresh;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        IAnalyticsEngine engine = context.Engine as IAnalyticsEngine ?? throw new NotSupportedException("the engine has no adapter for W10's query");
        _data ??= new LineItemDataset(context.Generator, context.Sizes.LineItems);
        _expected ??= _data.ExpectedSummary(ShipDateCutoff);
        engine.LoadLineItems(_data);
        Verify(engine.PricingSummary(ShipDateCutoff), "untimed first run");

        Meter meter = Meter.Start();
        IReadOnlyList<PricingSummaryRow> answer = engine.PricingSummary(ShipDateCutoff);
        Measurement timed = meter.Stop(_data.LineItems.Length);

        Verify(answer, "timed run");
        return new RepetitionResult([timed.PerSecond, timed.Elapsed.TotalMilliseconds], timed);
    }

    private void Verify(IReadOnlyList<PricingSummaryRow> answer, string run)
    {
        VerificationException.ThrowUnless(answer.Count == _expected!.Length,
            $"pricing summary ({run}): expected {_expected.Length} groups, got {answer.Count}");
        for (int i = 0; i < answer.Count; i++)
        {
            VerificationException.ThrowUnless(answer[i] == _expected[i],
                $"pricing summary ({run}), group {i + 1}: expected {_expected[i]}, got {answer[i]}");
        }
    }
}
