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
            WriteAheadLog wal = WalOf(db);
            using (ChildProcess reader = ReaderProcessHoldingAnOlderGeneration(db, path, ref n))
            {
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

    /// <summary>
    /// With the background thread (the default), the writer's backpressure (the log past twice the threshold, the older
    /// generation free of this process's readers for a threshold's worth of appends) took the engine's checkpoint lock
    /// at every commit to find, under it, that a reader process held the copy: each such commit waited for whatever the
    /// background held the lock for (its tries every 5 ms, its syncs of the log ahead of the switch). The check now
    /// reads the reader table before the writer tries. The test holds the checkpoint lock itself, standing in for a
    /// long background step (a slow sync), while a real child process holds its snapshot.
    /// </summary>
    [Test]
    public void Nor_does_it_wait_for_the_checkpoint_lock_while_a_reader_process_holds_it()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-pinned-").FullName;
        try
        {
            string path = Path.Combine(directory, "held.pagedb");
            const long Threshold = 32 << 10;
            var options = new PageDbOptions { CheckpointThresholdBytes = Threshold, Durability = Durability.Normal, BackgroundCheckpoints = true };
            using PageDatabase db = PageDatabase.Open(path, options);
            long n = 0;
            WriteAheadLog wal = WalOf(db);
            WalMark copied;
            using (ChildProcess reader = ReaderProcessHoldingAnOlderGeneration(db, path, ref n))
            {
                // Past twice the threshold, and a threshold more since the older generation was first seen free of
                // this process's readers: where the writer runs the copy itself when nothing holds it.
                while (wal.LogBytes < 4 * Threshold && n < 100_000)
                    LiveValues.Commit(db, ++n);
                Assert.That(wal.HasOlderGeneration, Is.True, "the reader process holds the older generation");
                Lock checkpointLock = CheckpointLockOf(EngineOf(db));
                bool committedMeanwhile;
                Task committing;
                lock (checkpointLock)
                {
                    committing = Task.Run(() =>
                    {
                        for (int i = 0; i < 200; i++)
                            LiveValues.Commit(db, Interlocked.Increment(ref n));
                    });
                    // A bounded wait, not a timing check: commits that wait for the lock do not end while it is held here.
                    committedMeanwhile = committing.Wait(TimeSpan.FromSeconds(20));
                }
                committing.Wait();
                Assert.That(committedMeanwhile, Is.True, "commits waited for the checkpoint lock while a reader process held the older generation");
                Assert.That(wal.HasOlderGeneration, Is.True, "the reader process still holds the older generation");
                Assert.That(reader.Ask("again", "READ"), Does.StartWith("READ 5 "), "the reader process kept its snapshot");
                // Read while the reader still holds the copy back: once it is killed the background may copy before
                // this thread runs again (it did in clean-clone CI runs), and a mark read after that never moves.
                copied = wal.CheckpointedThrough;
                reader.Kill();
            }

            Assert.That(WaitUntil(() => wal.CheckpointedThrough > copied), Is.True, "once the reader process ended, the older generation was copied out");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Five commits, then a real reader process holding its snapshot of them, then commits (counted in
    /// <paramref name="n"/>) until the log switched behind that snapshot: the reader process holds the older generation.
    /// </summary>
    private static ChildProcess ReaderProcessHoldingAnOlderGeneration(PageDatabase db, string path, ref long n)
    {
        while (n < 5)
            LiveValues.Commit(db, ++n);
        ChildProcess reader = ChildProcess.Start("hold-reader", path);
        try
        {
            Assert.That(reader.WaitFor("READ"), Does.StartWith("READ 5 "));
            WriteAheadLog wal = WalOf(db);
            while (!wal.HasOlderGeneration && n < 100_000)
                LiveValues.Commit(db, ++n);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The engine's checkpoint lock (private: only this test takes it from outside, to stand in for a long background step).</summary>
    private static Lock CheckpointLockOf(PageDb.Engine.StorageEngine engine) =>
        (Lock?)typeof(PageDb.Engine.StorageEngine).GetField("_checkpointLock", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)?.GetValue(engine)
        ?? throw new InvalidOperationException("StorageEngine has no _checkpointLock field any more: update this test");

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
