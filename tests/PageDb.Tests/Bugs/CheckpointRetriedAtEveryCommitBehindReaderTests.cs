using System.Diagnostics.Metrics;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Found by measuring the commit path's cost of replication (docs/benchmarks.md, replication): with replication off, a
/// reader held and renewed every 150 ms raised the committing thread's CPU time per one-row commit from about 7 to
/// 12-14 µs. While a reader holds the WAL's older generation back, every commit past the threshold ran a checkpoint of
/// it that could copy and forget nothing (the writer's own copy, once the log is past twice the threshold or with no
/// background thread) and woke the background thread for another such attempt. The writer now skips its copy while a
/// reader of this process holds no newer snapshot than what is already copied, and the background thread polls while
/// held back instead of being woken by every commit. Counted through the <c>pagedb.checkpoints</c> counter, on the
/// committing thread only.
/// </summary>
public class CheckpointRetriedAtEveryCommitBehindReaderTests
{
    [Test]
    public void The_writer_does_not_retry_the_older_generations_checkpoint_at_every_commit_while_a_reader_holds_it()
    {
        var options = new PageDbOptions { Storage = new MemoryStorage(), CheckpointThresholdBytes = 32 << 10, Durability = Durability.Normal, BackgroundCheckpoints = false };
        int committer = Environment.CurrentManagedThreadId;
        int onCommitter = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PageDbTelemetry.MeterName && instrument.Name == "pagedb.checkpoints")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
        {
            if (Environment.CurrentManagedThreadId == committer)
                Interlocked.Increment(ref onCommitter);
        });
        listener.Start();
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        Put(db, "t", ("warm", "up"));
        WriteAheadLog wal = WalOf(db);
        int written = 0;
        using (db.BeginRead())
        {
            while (!wal.HasOlderGeneration)
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
            int before = Volatile.Read(ref onCommitter);
            for (int i = 0; i < 200; i++)
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
            Assert.That(Volatile.Read(ref onCommitter) - before, Is.Zero, "checkpoints tried by 200 commits while the reader pins the older generation");
            Assert.That(wal.HasOlderGeneration, Is.True, "the reader still holds the older generation");
        }

        WalMark copied = wal.CheckpointedThrough;
        Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
        Assert.That(wal.CheckpointedThrough, Is.GreaterThan(copied), "the first commit after the reader left copied the older generation out");
    }
}
