using PageDb.Benchmarks.Workloads.Data;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W8: reader threads doing point lookups on W1's data while one writer thread commits one-row transactions (at
/// relaxed durability, so the figure shows concurrency rather than the disk) until the readers are done or it has
/// made <see cref="WorkloadSizes.WriterCommits"/> commits, the same cap for every engine. Lookups/s are over the whole
/// run, commits/s over the writer's own time.
/// The writer's ids lie beyond W1's, in a block of their own per repetition, so readers' answers stay fixed.
/// </summary>
public sealed class W8ConcurrentReaders : Workload
{
    private const ulong KeyStream = 80;
    private const long WriterBlock = 1_000_000_000;

    private long[][]? _idsPerReader; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public override string Id => "W8";

    /// <inheritdoc/>
    public override string Title => "4 readers + 1 writer";

    /// <inheritdoc/>
    public override IReadOnlyList<MetricDefinition> Metrics { get; } =
        [new("lookups/s", HigherIsBetter: true), new("commits/s", HigherIsBetter: true)];

    /// <inheritdoc/>
    public override DatabaseKind Database => DatabaseKind.Loaded;

    /// <inheritdoc/>
    public override RepetitionResult Run(WorkloadContext context)
    {
        SequentialDataset data = context.LoadedRows;
        _idsPerReader ??= GenerateIds(context, data);
        var readers = new IBenchmarkReader[_idsPerReader.Length];
        for (int i = 0; i < readers.Length; i++)
        {
            readers[i] = context.Readers.Get(i);
        }
        long firstWriterId = data.EndId + (context.Repetition + 2) * WriterBlock;
        var run = new ConcurrentRun(readers, _idsPerReader, context.Engine, context.Generator, firstWriterId, context.Sizes.WriterCommits);

        Meter meter = Meter.Start();
        run.Execute();
        long lookups = _idsPerReader.Length * (long)_idsPerReader[0].Length;
        Measurement timed = meter.Stop(lookups + run.Commits);

        run.Verify(data, context.Readers.Get(0));
        double seconds = timed.Elapsed.TotalSeconds;
        return new RepetitionResult([lookups / seconds, run.Commits / run.WriterTime.TotalSeconds], timed);
    }

    private long[][] GenerateIds(WorkloadContext context, SequentialDataset data)
    {
        var ids = new long[context.Sizes.ReaderThreads][];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = context.Generator.RandomIds(context.Sizes.LookupsPerReader, data.FirstId, data.EndId, KeyStream + (ulong)i);
        }
        return ids;
    }

    /// <summary>One repetition's threads and what each saw.</summary>
    private sealed class ConcurrentRun(
        IBenchmarkReader[] readers, long[][] idsPerReader, IBenchmarkEngine engine, DataGenerator generator, long firstWriterId,
        int maxCommits)
    {
        private readonly LookupTotals[] _lookups = new LookupTotals[readers.Length];
        private readonly ThreadGroup _threads = new();
        private int _readersRunning = readers.Length;
        private double _writtenSum;

        public long Commits { get; private set; }

        /// <summary>How long the writer ran: until the readers were done or it reached its cap.</summary>
        public TimeSpan WriterTime { get; private set; }

        /// <summary>Starts every thread together and returns when all are done; rethrows a thread's exception.</summary>
        public void Execute()
        {
            for (int i = 0; i < readers.Length; i++)
            {
                int reader = i;
                _threads.Add($"W8 reader {i}", () => Read(reader));
            }
            _threads.Add("W8 writer", Write);
            _threads.Run();
        }

        /// <summary>Checks every reader's answers and that exactly the committed rows are stored in the writer's block.</summary>
        public void Verify(SequentialDataset data, IBenchmarkReader reader)
        {
            for (int i = 0; i < readers.Length; i++)
            {
                _lookups[i].Verify(data, idsPerReader[i]);
            }
            ScanTotals written = reader.ScanRange(firstWriterId, firstWriterId + WriterBlock);
            VerificationException.ThrowUnlessEqual(new ScanTotals(Commits, _writtenSum), written, "rows of W8's writer");
        }

        private void Read(int reader)
        {
            try
            {
                _lookups[reader] = LookupTotals.Measure(readers[reader], idsPerReader[reader]);
            }
            finally
            {
                Interlocked.Decrement(ref _readersRunning);
            }
        }

        /// <summary>Commits until the readers are done or the cap is reached, or stops at once when a reader has failed.</summary>
        private void Write()
        {
            long commits = 0;
            double sum = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (commits < maxCommits && Volatile.Read(ref _readersRunning) > 0 && !_threads.Failed)
            {
                BenchRow row = generator.Row(firstWriterId + commits);
                engine.InsertInOwnTransaction(row);
                commits++;
                sum += row.Value;
            }
            WriterTime = clock.Elapsed;
            Commits = commits;
            _writtenSum = sum;
        }
    }
}
