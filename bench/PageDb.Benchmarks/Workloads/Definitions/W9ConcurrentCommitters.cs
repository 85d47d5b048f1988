using System.Diagnostics;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W9: <see cref="WorkloadSizes.Committers"/> threads each commit one-row transactions at full durability into one
/// empty database for <see cref="WorkloadSizes.CommitSeconds"/> seconds: commits/s, p50 and p99 commit latency, and
/// commits per raw fsync (above 1 only for an engine whose concurrent commits share syncs, as a group commit does).
/// </summary>
/// <remarks>
/// Each committer writes ids in a block of its own, so the untimed check can compare every committer's rows (count
/// and sum of values) with what it committed, and the whole table with the total. Rows are taken round-robin from a
/// small pre-generated set with their ids replaced, so the timed loop allocates nothing itself. Engines that need it
/// serialize writers in their adapters (SQLite's one write connection is locked; LiteDB and LMDB wait inside the
/// engine; PageDb's <c>BeginWrite</c> waits for the writer slot). A variant with asynchronous commits (many tasks
/// awaiting <c>CommitAsync</c> instead of threads blocking in <c>Commit</c>) reuses <see cref="Committer"/> and
/// <see cref="Verify"/> with a task-based driver in place of <see cref="ThreadGroup"/>.
/// </remarks>
public sealed class W9ConcurrentCommitters : Workload
{
    private const long CommitterBlock = 1_000_000_000_000;
    private const int TemplateRows = 1_024;
    private const int ExpectedCommitsPerCommitter = 1 << 16;

    private BenchRow[]? _templates; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public override string Id => "W9";

    /// <inheritdoc/>
    public override string Title => "concurrent 1-row txs, full durability";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("commits/s", HigherIsBetter: true),
        new("p50 commit ms", HigherIsBetter: false),
        new("p99 commit ms", HigherIsBetter: false),
        new("commits per raw fsync", HigherIsBetter: true),
    ];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Fresh;

    /// <inheritdoc/>
    public override BenchDurability Durability => BenchDurability.Full;

    /// <inheritdoc/>
    public override bool ComparesWithDisk => true;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        _templates ??= context.Generator.SequentialRows(1, TemplateRows);
        var committers = new Committer[context.Sizes.Committers];
        for (int i = 0; i < committers.Length; i++)
            committers[i] = new Committer(firstId: (i + 1) * CommitterBlock, _templates);
        var group = new ThreadGroup();
        TimeSpan duration = TimeSpan.FromSeconds(context.Sizes.CommitSeconds);
        foreach (Committer committer in committers)
            group.Add($"W9 committer {committer.FirstId / CommitterBlock}", () => committer.CommitFor(context.Engine, duration, group));

        Meter meter = Meter.Start();
        group.Run();
        long commits = committers.Sum(c => c.Latencies.Count);
        Measurement timed = meter.Stop(commits);

        Verify(committers, context.Readers.Get(0));
        double[] percentiles = LatencyRecorder.PercentilesInMilliseconds([.. committers.Select(c => c.Latencies)], 50, 99);
        return new RepetitionResult(
            [timed.PerSecond, percentiles[0], percentiles[1], timed.PerSecond / (context.DiskProbe?.SyncsPerSecond ?? double.NaN)],
            timed);
    }

    /// <summary>Checks that each committer's id block holds exactly its commits, and the whole database their total.</summary>
    private static void Verify(Committer[] committers, IBenchmarkReader reader)
    {
        ScanTotals all = default;
        foreach (Committer committer in committers)
        {
            ScanTotals stored = reader.ScanRange(committer.FirstId, committer.FirstId + CommitterBlock);
            VerificationException.ThrowUnlessEqual(committer.Committed, stored, $"rows of W9 committer {committer.FirstId / CommitterBlock}");
            all += committer.Committed;
        }
        VerificationException.ThrowUnlessEqual(all, reader.ScanAll(), "scan after W9");
    }

    /// <summary>One committer: its id block, its latencies, and the totals of what it committed.</summary>
    private sealed class Committer(long firstId, BenchRow[] templates)
    {
        public long FirstId { get; } = firstId;

        public LatencyRecorder Latencies { get; } = new(ExpectedCommitsPerCommitter);

        public ScanTotals Committed { get; private set; }

        /// <summary>
        /// Commits one-row transactions for <paramref name="duration"/> from now (the group's threads start together)
        /// or until a failure elsewhere.
        /// </summary>
        public void CommitFor(IBenchmarkEngine engine, TimeSpan duration, ThreadGroup group)
        {
            long deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            ScanTotals committed = default;
            while (Stopwatch.GetTimestamp() < deadline && !group.Failed)
            {
                BenchRow row = templates[committed.Count % templates.Length] with { Id = FirstId + committed.Count };
                long start = Stopwatch.GetTimestamp();
                engine.InsertInOwnTransaction(row);
                Latencies.RecordSince(start);
                committed = committed.Add(row.Value);
            }
            Committed = committed;
        }
    }
}
