using System.Diagnostics.Metrics;
using PageDb.ProcessChild;
using PageDb.Testing;
using PageDb.Testing.Processes;
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
/// <para>
/// A reader in another process (a read-only open, seen in the shm reader table) did the same until the check also read
/// that table: the second test holds the snapshot in a real child process over real files.
/// </para>
/// </summary>
[NonParallelizable]
public class CheckpointRetriedAtEveryCommitBehindReaderTests
{
    [Test]
    public void The_writer_does_not_retry_the_older_generations_checkpoint_at_every_commit_while_a_reader_holds_it()
    {
        var options = new PageDbOptions { Storage = new MemoryStorage(), CheckpointThresholdBytes = 32 << 10, Durability = Durability.Normal, BackgroundCheckpoints = false };
        using var onCommitter = new CheckpointsOnThisThread();
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        Put(db, "t", ("warm", "up"));
        WriteAheadLog wal = WalOf(db);
        int written = 0;
        using (db.BeginRead())
        {
            while (!wal.HasOlderGeneration)
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
            int before = onCommitter.Count;
            for (int i = 0; i < 200; i++)
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
            Assert.That(onCommitter.Count - before, Is.Zero, "checkpoints tried by 200 commits while the reader pins the older generation");
            Assert.That(wal.HasOlderGeneration, Is.True, "the reader still holds the older generation");
        }

        WalMark copied = wal.CheckpointedThrough;
        Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
        Assert.That(wal.CheckpointedThrough, Is.GreaterThan(copied), "the first commit after the reader left copied the older generation out");
    }

    [Test]
    public void Nor_while_a_reader_process_holds_it()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-pinned-").FullName;
        try
        {
            string path = Path.Combine(directory, "held.pagedb");
            var options = new PageDbOptions { CheckpointThresholdBytes = 32 << 10, Durability = Durability.Normal, BackgroundCheckpoints = false };
            using var onCommitter = new CheckpointsOnThisThread();
            using PageDatabase db = PageDatabase.Open(path, options);
            long n = 0;
            while (n < 5)
                LiveValues.Commit(db, ++n);
            WriteAheadLog wal = WalOf(db);
            using (ChildProcess reader = ChildProcess.Start("hold-reader", path))
            {
                Assert.That(reader.WaitFor("READ"), Does.StartWith("READ 5 "));
                while (!wal.HasOlderGeneration && n < 100_000)
                    LiveValues.Commit(db, ++n);
                // The first tries past the threshold copy up to the reader's snapshot; from then on nothing can be copied.
                for (int i = 0; i < 20; i++)
                    LiveValues.Commit(db, ++n);
                Assume.That(wal.LogBytes, Is.GreaterThan(2 * options.CheckpointThresholdBytes), "the log is past twice the threshold, where the writer copies itself");
                int before = onCommitter.Count;
                for (int i = 0; i < 200; i++)
                    LiveValues.Commit(db, ++n);
                Assert.That(onCommitter.Count - before, Is.Zero, "checkpoints tried by 200 commits while a reader process pins the older generation");
                Assert.That(wal.HasOlderGeneration, Is.True, "the reader process still holds the older generation");
                Assert.That(reader.Ask("again", "READ"), Does.StartWith("READ 5 "), "the reader process kept its snapshot");
                reader.Kill();
            }

            WalMark copied = wal.CheckpointedThrough;
            LiveValues.Commit(db, ++n);
            Assert.That(wal.CheckpointedThrough, Is.GreaterThan(copied), "the first commit after the reader process ended copied the older generation out");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Counts the checkpoints (the <c>pagedb.checkpoints</c> counter) recorded on the thread that made it.</summary>
    private sealed class CheckpointsOnThisThread : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly int _thread = Environment.CurrentManagedThreadId;
        private int _count;

        public CheckpointsOnThisThread()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PageDbTelemetry.MeterName && instrument.Name == "pagedb.checkpoints")
                    l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
            {
                if (Environment.CurrentManagedThreadId == _thread)
                    Interlocked.Increment(ref _count);
            });
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
