using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>W7: as W6 at relaxed durability (a crash may lose the last commits, never consistency).</summary>
public sealed class W7RelaxedCommits : SmallTransactions
{
    /// <inheritdoc/>
    public override string Id => "W7";

    /// <inheritdoc/>
    public override string Title => "1-row txs, relaxed durability";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("commits/s", HigherIsBetter: true),
        new("median commit ms", HigherIsBetter: false),
        new("p99 commit ms", HigherIsBetter: false),
        new("p99.9 commit ms", HigherIsBetter: false),
    ];

    /// <inheritdoc/>
    public override BenchDurability Durability => BenchDurability.Normal;

    /// <inheritdoc/>
    protected override int CommitCount(WorkloadSizes sizes) => sizes.RelaxedCommits;
}
