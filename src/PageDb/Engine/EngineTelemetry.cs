using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PageDb.Engine;

/// <summary>
/// The meter and activity source behind <see cref="PageDbTelemetry"/>. Two kinds of instrument:
/// <list type="number">
/// <item>Recorded where the event happens, one call per site: commits (<see cref="Committed"/>, tagged
/// <c>pagedb.durability</c>) and checkpoints (<see cref="MeasureCheckpoint"/>, tagged <c>pagedb.checkpoint.kind</c>).
/// With no listener an instrument's Add/Record returns at once, and <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null without allocating.</item>
/// <item>Observed only when a listener collects: WAL size, cache hits, misses and evictions, oldest reader age, read
/// from the figures the engine keeps anyway for <see cref="PageDatabase.GetStats"/>, one measurement per open
/// database tagged <c>pagedb.database</c> (its path). The open databases are registered in <c>_open</c>.</item>
/// </list>
/// Thread-safe: instruments are, and <c>_open</c> is guarded by <c>_openLock</c>.
/// </summary>
internal static class EngineTelemetry
{
    private const string DatabaseTag = "pagedb.database";

    private static readonly Meter Meter = new(PageDbTelemetry.MeterName);

    internal static readonly ActivitySource Source = new(PageDbTelemetry.ActivitySourceName);

    private static readonly Counter<long> Commits = Meter.CreateCounter<long>(
        "pagedb.commits", "{commit}", "Write transactions committed.");

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "pagedb.commit.duration", "s", "Time Commit() took: writing the commit, its sync under Durability.Full, and any automatic checkpoint it ran.");

    private static readonly Counter<long> Checkpoints = Meter.CreateCounter<long>(
        "pagedb.checkpoints", "{checkpoint}", "Checkpoints run: WAL pages copied into the database file.");

    private static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>(
        "pagedb.checkpoint.duration", "s", "Time a checkpoint took.");

    // Boxed once: a tag list of one precomputed pair makes recording allocate nothing.
    private static readonly KeyValuePair<string, object?>[] DurabilityTags =
        [Tag("pagedb.durability", "full"), Tag("pagedb.durability", "normal"), Tag("pagedb.durability", "none")];

    // Guards _open; the observable instruments' callbacks copy it under the lock.
    private static readonly Lock _openLock = new();
    private static readonly List<StorageEngine> _open = [];

    static EngineTelemetry()
    {
        Meter.CreateObservableGauge("pagedb.wal.size", () => Observe(e => e.Wal.TotalBytes), "By",
            "Bytes of the write-ahead log (both files while the older still holds a generation).");
        Meter.CreateObservableCounter("pagedb.cache.hits", () => Observe(e => e.Pool.Stats.Hits), "{page}",
            "Buffer pool pins served from the cache since open.");
        Meter.CreateObservableCounter("pagedb.cache.misses", () => Observe(e => e.Pool.Stats.Misses), "{page}",
            "Buffer pool pins that loaded the page since open.");
        Meter.CreateObservableCounter("pagedb.cache.evictions", () => Observe(e => e.Pool.Stats.Evictions), "{page}",
            "Cached pages dropped to make room since open.");
        Meter.CreateObservableGauge("pagedb.reader.oldest_age", () => Observe(e => e.Readers.Oldest(e.Wal).Age.TotalSeconds), "s",
            "How long the oldest snapshot still held by a read transaction has been open; 0 with none open.");
    }

    /// <summary>Makes <paramref name="engine"/>'s figures observable until <see cref="Closed"/>.</summary>
    public static void Opened(StorageEngine engine)
    {
        lock (_openLock)
            _open.Add(engine);
    }

    /// <summary>Stops observing <paramref name="engine"/> (its files are about to close).</summary>
    public static void Closed(StorageEngine engine)
    {
        lock (_openLock)
            _open.Remove(engine);
    }

    /// <summary>Records one commit that succeeded, begun at <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static void Committed(Durability durability, long startedAt)
    {
        KeyValuePair<string, object?> tag = DurabilityTags[(int)durability];
        Commits.Add(1, tag);
        if (CommitDuration.Enabled)
            CommitDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tag);
    }

    /// <summary>
    /// Starts measuring one checkpoint in <paramref name="mode"/>, or (null) the automatic copy of the WAL's older
    /// file, tagged <c>older</c>; disposing the result counts it, records its duration and ends its activity.
    /// </summary>
    public static CheckpointMeasurement MeasureCheckpoint(CheckpointMode? mode, string path)
    {
        string kind = mode switch
        {
            CheckpointMode.Passive => "passive",
            CheckpointMode.Full => "full",
            CheckpointMode.Truncate => "truncate",
            _ => "older",
        };
        return new(kind, Source.StartActivity("pagedb.checkpoint")?.SetTag(DatabaseTag, path).SetTag("pagedb.checkpoint.kind", kind));
    }

    /// <summary>Starts the activity of <paramref name="name"/> (recovery, compaction) on <paramref name="path"/>, or null with no listener.</summary>
    public static Activity? Start(string name, string path) => Source.StartActivity(name)?.SetTag(DatabaseTag, path);

    /// <summary>Reads one figure of every open database. Under the lock, so that <see cref="Closed"/> (which precedes
    /// closing the files) waits for a collection in progress.</summary>
    private static List<Measurement<T>> Observe<T>(Func<StorageEngine, T> figure)
        where T : struct
    {
        lock (_openLock)
        {
            var measurements = new List<Measurement<T>>(_open.Count);
            foreach (StorageEngine engine in _open)
                measurements.Add(new Measurement<T>(figure(engine), Tag(DatabaseTag, engine.File.Path)));
            return measurements;
        }
    }

    private static KeyValuePair<string, object?> Tag(string name, object value) => new(name, value);

    /// <summary>One checkpoint being measured: see <see cref="MeasureCheckpoint"/>.</summary>
    internal readonly struct CheckpointMeasurement(string kind, Activity? activity) : IDisposable
    {
        private readonly long _startedAt = Stopwatch.GetTimestamp();

        public void Dispose()
        {
            var tag = new KeyValuePair<string, object?>("pagedb.checkpoint.kind", kind);
            Checkpoints.Add(1, tag);
            CheckpointDuration.Record(Stopwatch.GetElapsedTime(_startedAt).TotalSeconds, tag);
            activity?.Dispose();
        }
    }
}
