using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W6: one-row transactions at full durability, set beside the disk's raw "append 4 KB + fsync" rate measured in
/// the same run (a commit that needs one sync cannot beat that rate; one that does better is not syncing per commit).
/// </summary>
public sealed class W6DurableCommits : SmallTransactions
{
    /// <inheritdoc/>
    public override string Id => "W6";

    /// <inheritdoc/>
    public override string Title => "1-row txs, full durability";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("commits/s", HigherIsBetter: true),
        new("median commit ms", HigherIsBetter: false),
        new("commits per raw fsync", HigherIsBetter: true),
        new("p99 commit ms", HigherIsBetter: false),
        new("p99.9 commit ms", HigherIsBetter: false),
    ];

    /// <inheritdoc/>
    public override BenchDurability Durability => BenchDurability.Full;

    /// <inheritdoc/>
    public override bool ComparesWithDisk => true;

    /// <inheritdoc/>
    protected override int CommitCount(WorkloadSizes sizes) => sizes.DurableCommits;
}
