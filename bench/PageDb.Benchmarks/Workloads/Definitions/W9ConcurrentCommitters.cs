using System.Diagnostics;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W9: <see cref="WorkloadSizes.Committers"/> threads each commit one-row transactions at full durability into one
/// empty database for <see cref="WorkloadSizes.CommitSeconds"/> seconds: commits/s, p50 and p99 commit latency,
/// commits per raw fsync (W9's rate over the disk probe's rate of appends with an fsync each, which also grow the file:
/// not a batch size), and, for an engine that counts them (<see cref="ICommitSyncCountingEngine"/>), commits per WAL
/// sync: how many commits one of the engine's log syncs acknowledged on average over the timed window.
/// </summary>
/// <remarks>
/// Each committer writes ids in a block of its own, so the untimed check can compare every committer's rows (count
/// and sum of values) with what it committed, and the whole table with the total. Rows are taken round-robin from a
/// small pre-generated set with their ids replaced, so the timed loop allocates nothing itself. Engines that need it
/// serialize writers in their adapters (SQLite's one write connection is locked; LiteDB and LMDB wait inside the
/// engine; PageDb's <c>BeginWrite</c> waits for the writer slot). W9a, the variant with asynchronous commits, runs
/// <see cref="AsyncTasks"/> tasks awaiting <see cref="IAsyncCommitEngine.InsertInOwnTransactionAsync"/> (PageDb's
/// <c>BeginWriteAsync</c> and <c>CommitAsync</c>) instead of threads blocking in a commit, with the same
/// <see cref="Committer"/> and <see cref="Verify"/>; engines without an asynchronous commit get no number.
/// </remarks>
public sealed class W9ConcurrentCommitters(bool asynchronous = false) : Workload
{
    /// <summary>The committing tasks of W9a.</summary>
    public const int AsyncTasks = 64;

    private const long CommitterBlock = 1_000_000_000_000;
    private const int TemplateRows = 1_024;
    private const int ExpectedCommitsPerCommitter = 1 << 16;

    private BenchRow[]? _templates; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public override string Id => asynchronous ? "W9a" : "W9";

    /// <inheritdoc/>
    public override string Title => asynchronous
        ? $"concurrent 1-row txs, full durability, async commits from {AsyncTasks} tasks"
        : "concurrent 1-row txs, full durability";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
    [
        new("commits/s", HigherIsBetter: true),
        new("p50 commit ms", HigherIsBetter: false),
        new("p99 commit ms", HigherIsBetter: false),
        new("commits per raw fsync", HigherIsBetter: true),
        new("commits per WAL sync", HigherIsBetter: true),
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
        IAsyncCommitEngine? asyncEngine = null;
        if (asynchronous)
            asyncEngine = context.Engine as IAsyncCommitEngine ?? throw new NotSupportedException("the engine has no asynchronous commit");
        var committers = new Committer[asynchronous ? AsyncTasks : context.Sizes.Committers];
        int expectedCommits = ExpectedCommitsPerCommitter * 8 / committers.Length;
        for (int i = 0; i < committers.Length; i++)
            committers[i] = new Committer(firstId: (i + 1) * CommitterBlock, _templates, expectedCommits);
        TimeSpan duration = TimeSpan.FromSeconds(context.Sizes.CommitSeconds);

        var syncCounting = context.Engine as ICommitSyncCountingEngine;
        long syncsBefore = syncCounting?.CommitSyncs ?? 0;
        Meter meter = Meter.Start();
        if (asyncEngine is null)
            RunThreads(committers, context.Engine, duration);
        else
            RunTasks(committers, asyncEngine, duration);
        long commits = committers.Sum(c => c.Latencies.Count);
        Measurement timed = meter.Stop(commits);
        double commitsPerSync = syncCounting is null ? double.NaN : commits / (double)(syncCounting.CommitSyncs - syncsBefore);

        Verify(committers, context.Readers.Get(0));
        double[] percentiles = LatencyRecorder.PercentilesInMilliseconds([.. committers.Select(c => c.Latencies)], 50, 99);
        return new RepetitionResult(
            [timed.PerSecond, percentiles[0], percentiles[1], timed.PerSecond / (context.DiskProbe?.SyncsPerSecond ?? double.NaN), commitsPerSync],
            timed);
    }

    /// <summary>Runs every committer on a thread of its own, released together; the first failure stops the others and is rethrown.</summary>
    private static void RunThreads(Committer[] committers, IBenchmarkEngine engine, TimeSpan duration)
    {
        var group = new ThreadGroup();
        foreach (Committer committer in committers)
            group.Add($"W9 committer {committer.FirstId / CommitterBlock}", () => committer.CommitFor(engine, duration, () => group.Failed));
        group.Run();
    }

    /// <summary>Runs every committer as a task; the first failure stops the others and is rethrown.</summary>
    private static void RunTasks(Committer[] committers, IAsyncCommitEngine engine, TimeSpan duration)
    {
        using var failed = new CancellationTokenSource();
        Task[] tasks = [.. committers.Select(committer => Task.Run(async () =>
        {
            try
            {
                await committer.CommitForAsync(engine, duration, () => failed.IsCancellationRequested).ConfigureAwait(false);
            }
            catch
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }))];
        Task.WhenAll(tasks).GetAwaiter().GetResult();
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
    private sealed class Committer(long firstId, BenchRow[] templates, int expectedCommits)
    {
        public long FirstId { get; } = firstId;

        public LatencyRecorder Latencies { get; } = new(expectedCommits);

        public ScanTotals Committed { get; private set; }

        /// <summary>
        /// Commits one-row transactions for <paramref name="duration"/> from now (the committers start together) or
        /// until <paramref name="failed"/> says a failure elsewhere stopped the run.
        /// </summary>
        public void CommitFor(IBenchmarkEngine engine, TimeSpan duration, Func<bool> failed)
        {
            long deadline = DeadlineAfter(duration);
            ScanTotals committed = default;
            while (Stopwatch.GetTimestamp() < deadline && !failed())
            {
                BenchRow row = NextRow(committed);
                long start = Stopwatch.GetTimestamp();
                engine.InsertInOwnTransaction(row);
                committed = Record(start, committed, row);
            }
            Committed = committed;
        }

        /// <summary>As <see cref="CommitFor"/>, awaiting each commit (W9a).</summary>
        public async Task CommitForAsync(IAsyncCommitEngine engine, TimeSpan duration, Func<bool> failed)
        {
            long deadline = DeadlineAfter(duration);
            ScanTotals committed = default;
            while (Stopwatch.GetTimestamp() < deadline && !failed())
            {
                BenchRow row = NextRow(committed);
                long start = Stopwatch.GetTimestamp();
                await engine.InsertInOwnTransactionAsync(row).ConfigureAwait(false);
                committed = Record(start, committed, row);
            }
            Committed = committed;
        }

        private static long DeadlineAfter(TimeSpan duration) =>
            Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);

        private BenchRow NextRow(ScanTotals committed) =>
            templates[committed.Count % templates.Length] with { Id = FirstId + committed.Count };

        private ScanTotals Record(long start, ScanTotals committed, BenchRow row)
        {
            Latencies.RecordSince(start);
            return committed.Add(row.Value);
        }
    }
}
