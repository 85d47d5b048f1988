using System.Diagnostics;
using System.Diagnostics.Metrics;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// The PageDb meter and activity source (src/PageDb/Engine/EngineTelemetry.cs), seen the way OpenTelemetry and
/// dotnet-counters see them: through a <see cref="MeterListener"/> and an <see cref="ActivityListener"/> on the names in
/// <see cref="PageDbTelemetry"/>. The tests of this assembly run one at a time, so the counts are exact; NUnit
/// makes one instance for all of them, so each starts by forgetting what the one before saw.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly List<Activity> _stopped = [];

    public TelemetryTests()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PageDbTelemetry.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PageDbTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_stopped)
                    _stopped.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(_activities);
    }

    [SetUp]
    public void Forget()
    {
        lock (_measurements)
            _measurements.Clear();
        lock (_stopped)
            _stopped.Clear();
    }

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    [Test]
    public void Commits_are_counted_by_durability_with_their_latency()
    {
        using (PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), Durability.Normal)))
        {
            for (int i = 0; i < 3; i++)
                Put(db, "t", ($"k{i}", "v"));
            using (WriteTransaction rolledBack = db.BeginWrite())
                rolledBack.GetTree("t").Put("never"u8, "committed"u8);
        }
        using (PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), Durability.Full)))
            Put(db, "t", ("k", "v"));

        // Each new database first commits its empty catalog; a rollback is no commit.
        Assert.That(Values("pagedb.commits", "pagedb.durability", "normal"), Is.EqualTo(new[] { 1.0, 1.0, 1.0, 1.0 }));
        Assert.That(Values("pagedb.commits", "pagedb.durability", "full"), Is.EqualTo(new[] { 1.0, 1.0 }));
        Assert.That(Values("pagedb.commit.duration", "pagedb.durability", "normal"), Has.Count.EqualTo(4).And.All.GreaterThanOrEqualTo(0));
        Assert.That(Values("pagedb.commit.duration", "pagedb.durability", "full"), Has.Count.EqualTo(2));
    }

    [Test]
    public void Checkpoints_recovery_and_compaction_are_counted_and_traced()
    {
        var storage = new MemoryStorage();
        using (PageDatabase db = PageDatabase.Open(DbPath, Options(storage)))
        {
            Put(db, "t", ("a", "1"));
            db.Checkpoint(CheckpointMode.Passive);
            Put(db, "t", ("b", "2"));
            db.Compact();
        }

        Assert.That(Values("pagedb.checkpoints", "pagedb.checkpoint.kind", "passive"), Is.EqualTo(new[] { 1.0 }));
        Assert.That(Values("pagedb.checkpoints", "pagedb.checkpoint.kind", "truncate"), Has.Count.EqualTo(2),
            "Compact ends with a truncating checkpoint, and so does closing a database no reader holds");
        Assert.That(Values("pagedb.checkpoint.duration", "pagedb.checkpoint.kind", "truncate"), Has.Count.EqualTo(2));
        Activity[] stopped;
        lock (_stopped)
            stopped = [.. _stopped];
        Assert.That(stopped.Select(a => a.OperationName), Is.EqualTo(new[]
        {
            "pagedb.recovery", "pagedb.checkpoint", "pagedb.checkpoint", "pagedb.compaction", "pagedb.checkpoint",
        }));
        Assert.That(stopped.Select(a => a.GetTagItem("pagedb.database")), Is.All.EqualTo(DbPath));
        Assert.That(stopped.Where(a => a.OperationName == "pagedb.checkpoint").Select(a => a.GetTagItem("pagedb.checkpoint.kind")),
            Is.EqualTo(new[] { "passive", "truncate", "truncate" }));
        Activity compaction = stopped.Single(a => a.OperationName == "pagedb.compaction");
        Activity compactCheckpoint = stopped.Where(a => a.OperationName == "pagedb.checkpoint").ElementAt(1);
        Assert.That(compactCheckpoint.Parent, Is.SameAs(compaction), "the checkpoint Compact runs is part of the compaction");
    }

    [Test]
    public void Cache_wal_and_reader_figures_are_observed_for_each_open_database()
    {
        string path = $"observed-{Guid.NewGuid():N}.pagedb";
        PageDbOptions options = new() { Storage = new MemoryStorage(), Durability = Durability.Normal, CacheSizeBytes = 16 * 4096 };
        using (PageDatabase db = PageDatabase.Open(path, options))
        {
            using (WriteTransaction tx = db.BeginWrite())
            {
                Tree tree = tx.CreateTree("t");
                for (int i = 0; i < 2_000; i++)
                    tree.Put(Bytes($"key{i:D5}"), new byte[100]);
                tx.Commit();
            }
            Assert.That(Observe("pagedb.reader.oldest_age", path), Is.Zero, "no reader open");

            using ReadTransaction reader = db.BeginRead();
            for (int i = 0; i < 2_000; i += 7)
                Assert.That(reader.GetTree("t").Get(Bytes($"key{i:D5}")), Is.Not.Null);
            long began = Environment.TickCount64;
            SpinWait.SpinUntil(() => Environment.TickCount64 > began + 1);

            Assert.That(Observe("pagedb.cache.hits", path), Is.GreaterThan(0));
            Assert.That(Observe("pagedb.cache.misses", path), Is.GreaterThan(0));
            Assert.That(Observe("pagedb.cache.evictions", path), Is.GreaterThan(0), "2,000 keys of 100 bytes do not fit 16 pages");
            Assert.That(Observe("pagedb.reader.oldest_age", path), Is.GreaterThan(0), "the reader has been open for milliseconds");
            Assert.That(Observe("pagedb.wal.size", path), Is.EqualTo(db.GetStats().WalBytes).And.GreaterThan(0));
        }
        _measurements.Clear();
        _meters.RecordObservableInstruments();
        Assert.That(_measurements.Where(m => Equals(m.Tags.GetValueOrDefault("pagedb.database"), path)), Is.Empty,
            "a closed database is no longer observed");
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        var copied = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
            copied[tag.Key] = tag.Value;
        lock (_measurements)
            _measurements.Add((instrument.Name, value.ToDouble(null), copied));
    }

    private List<double> Values(string instrument, string tag, string tagValue)
    {
        lock (_measurements)
            return [.. _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault(tag), tagValue)).Select(m => m.Value)];
    }

    /// <summary>Collects the observable instruments now and returns the one figure of <paramref name="instrument"/> for <paramref name="path"/>.</summary>
    private double Observe(string instrument, string path)
    {
        lock (_measurements)
            _measurements.Clear();
        _meters.RecordObservableInstruments();
        return Values(instrument, "pagedb.database", path).Single();
    }
}
