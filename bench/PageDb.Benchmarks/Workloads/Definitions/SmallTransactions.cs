using System.Diagnostics;
using PageDb.Benchmarks.Workloads.Running;

namespace PageDb.Benchmarks.Workloads.Definitions;

/// <summary>
/// W6 and W7: one-row transactions committed one after another into an empty database, each timed, at the
/// durability the subclass names.
/// </summary>
public abstract class SmallTransactions : Workload
{
    private BenchRow[]? _rows; // generated on first use, then shared by every repetition and engine

    /// <inheritdoc/>
    public sealed override DatabaseKind Database => DatabaseKind.Fresh;

    /// <summary>How many transactions one repetition commits.</summary>
    protected abstract int CommitCount(WorkloadSizes sizes);

    /// <summary>
    /// Commits the rows one per transaction; returns commits/s, the median commit latency in milliseconds, for a
    /// workload that <see cref="Workload.ComparesWithDisk"/> commits/s divided by the disk's raw syncs/s, and then the
    /// 99th and 99.9th percentile commit latencies in milliseconds.
    /// </summary>
    public override RepetitionResult Run(WorkloadContext context)
    {
        _rows ??= context.Generator.SequentialRows(1, CommitCount(context.Sizes));
        var latencies = new long[_rows.Length];

        Meter meter = Meter.Start();
        for (int i = 0; i < _rows.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            context.Engine.InsertInOwnTransaction(_rows[i]);
            latencies[i] = Stopwatch.GetTimestamp() - start;
        }
        Measurement timed = meter.Stop(_rows.Length);

        VerificationException.ThrowUnlessEqual(ScanTotals.Of(_rows), context.Readers.Get(0).ScanAll(), $"scan after {Id}");
        double toMilliseconds = 1000.0 / Stopwatch.Frequency;
        double medianMilliseconds = Statistics.Median<long>(latencies) * toMilliseconds;
        double p99 = Statistics.Percentile<long>(latencies, 0.99) * toMilliseconds;
        double p999 = Statistics.Percentile<long>(latencies, 0.999) * toMilliseconds;
        double[] values = ComparesWithDisk
            ? [timed.PerSecond, medianMilliseconds, timed.PerSecond / (context.DiskProbe?.SyncsPerSecond ?? double.NaN), p99, p999]
            : [timed.PerSecond, medianMilliseconds, p99, p999];
        return new RepetitionResult(values, timed);
    }
}
