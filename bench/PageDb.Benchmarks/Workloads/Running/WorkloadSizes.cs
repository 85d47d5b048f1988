namespace PageDb.Benchmarks.Workloads.Running;

/// <summary>
/// How big each workload is: the sizes, or smaller ones for <c>--quick</c>. <c>WriterCommits</c> caps W8's
/// writer, so an engine whose relaxed commits are nearly free (RocksDB's, about 100,000/s) cannot bury its own readers
/// under writes, flushes and compactions: its full-size W8 did not end in 17 minutes uncapped. <c>LineItems</c> is
/// W10's fact table.
/// </summary>
public sealed record WorkloadSizes(
    int BulkRows,
    int RandomRows,
    int Lookups,
    int Ranges,
    int RangeLength,
    int DurableCommits,
    int RelaxedCommits,
    int ReaderThreads,
    int LookupsPerReader,
    int WriterCommits,
    int DiskProbeAppends,
    int Committers,
    double CommitSeconds,
    int LineItems)
{
    /// <summary>The sizes the issue asks for.</summary>
    public static WorkloadSizes Full { get; } = new(
        BulkRows: 1_000_000, RandomRows: 200_000, Lookups: 1_000_000, Ranges: 10_000, RangeLength: 100,
        DurableCommits: 2_000, RelaxedCommits: 20_000, ReaderThreads: 4, LookupsPerReader: 250_000, WriterCommits: 100_000,
        DiskProbeAppends: 2_000, Committers: 8, CommitSeconds: 5, LineItems: 1_000_000);

    /// <summary>Sizes for a run that finishes within minutes on two cores.</summary>
    public static WorkloadSizes Quick { get; } = new(
        BulkRows: 100_000, RandomRows: 50_000, Lookups: 100_000, Ranges: 2_000, RangeLength: 100,
        DurableCommits: 1_000, RelaxedCommits: 1_000, ReaderThreads: 4, LookupsPerReader: 25_000, WriterCommits: 10_000,
        DiskProbeAppends: 300, Committers: 8, CommitSeconds: 2, LineItems: 100_000);

    /// <summary>
    /// The sizes of the untimed warm-up pass a fresh-database workload (W1, W2, W6, W7, W9, W9a, W10) makes on each
    /// engine before its measured repetitions: at most 20,000 rows, 100 durable and 2,000 relaxed commits, 0.5 s of
    /// committing, 20,000 lines; the same threads. Each method on the measured path is called far more often than the
    /// runtime's tiering needs (some 60 calls) before it optimizes it, at a small part of a repetition's cost.
    /// </summary>
    public WorkloadSizes ForWarmUp() => this with
    {
        BulkRows = Math.Min(BulkRows, 20_000),
        RandomRows = Math.Min(RandomRows, 20_000),
        DurableCommits = Math.Min(DurableCommits, 100),
        RelaxedCommits = Math.Min(RelaxedCommits, 2_000),
        CommitSeconds = Math.Min(CommitSeconds, 0.5),
        LineItems = Math.Min(LineItems, 20_000),
    };
}
