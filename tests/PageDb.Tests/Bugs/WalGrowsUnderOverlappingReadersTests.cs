using System.Diagnostics;
using PageDb.Testing;

namespace PageDb.Tests.Bugs;

/// <summary>
/// Issue 12, tried as a new user would: three reader threads each hold a read transaction for 30 ms and open the next
/// at once (so some reader is always open, and at every checkpoint some reader is older than the last commit), while
/// one thread commits one-row transactions nonstop with CheckpointThresholdBytes = 1 MiB. The log could only restart
/// when no reader was older than the last commit, which never happened: after 15 seconds the -wal file was 191 MB and
/// still growing. With two log files (format version 3) the writer switches to the other file while readers hold the
/// current one, and the first file is forgotten once it is copied. Real threads and files; 10 s per durability level
/// in the default run, 60 s with PAGEDB_LONG=1, and on until the writer has written <see cref="MinimumWrittenThresholds"/> thresholds (up to
/// <see cref="WriteDeadline"/> more): at Durability.Full each commit waits for an fsync, and a loaded machine (CI has 2
/// cores) slowed the writer to about 1,700 commits in 10 s, under the thresholds' worth the bound needs to mean anything.
/// <para>
/// The bound asserted: both files together stay under 4x the threshold plus what is written during the lives of the
/// two longest readers. Two files cannot promise the "one reader's window": a file is forgotten only as a
/// whole, so a file that grew past the threshold while one long reader pinned the other file keeps that content until
/// every reader has moved past it, while the other file grows during the next long reader. When readers live their
/// 30 ms the windows are small next to the threshold and the two bounds nearly agree; on a loaded machine readers live
/// hundreds of milliseconds and, at Durability.None, windows of 10 MB and more have been seen.
/// </para>
/// </summary>
public class WalGrowsUnderOverlappingReadersTests
{
    private const long Threshold = 1 << 20;
    private const int Readers = 3;

    /// <summary>A threshold below 32 KiB: twice it is less than the log's first growth step (64 KiB).</summary>
    private const long TinyThreshold = 16 << 10;
    private static readonly TimeSpan ReaderHold = TimeSpan.FromMilliseconds(30);

    /// <summary>The committed WAL bytes a run must reach, in thresholds: several, so the log switched files several times.</summary>
    private const long MinimumWrittenThresholds = 6;

    /// <summary>How long past its duration a run may go on for the writer to reach <see cref="MinimumWrittenThresholds"/> thresholds.</summary>
    private static readonly TimeSpan WriteDeadline = TimeSpan.FromMinutes(2);

    [TestCase(Durability.Normal)]
    [TestCase(Durability.Full)]
    [TestCase(Durability.None)]
    public void The_log_stays_bounded_while_readers_always_overlap(Durability durability)
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-overlap-").FullName;
        try
        {
            Run(Path.Combine(directory, "overlap.pagedb"), durability, Threshold, TimeSpan.FromSeconds(TestSeed.LongRun ? 60 : 10));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The same with <see cref="TinyThreshold"/>: a file made ready for a switch (its first growth step written) used to
    /// count as due to be shrunk, so no switch the background prepared was adopted and the writer prepared each one
    /// itself; the bound must hold all the same.
    /// </summary>
    [Test]
    public void The_log_stays_bounded_with_a_tiny_threshold_while_readers_always_overlap()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-overlap-").FullName;
        try
        {
            Run(Path.Combine(directory, "overlap.pagedb"), Durability.Normal, TinyThreshold, TimeSpan.FromSeconds(TestSeed.LongRun ? 60 : 10));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Run(string path, Durability durability, long threshold, TimeSpan duration)
    {
        long minimumWritten = MinimumWrittenThresholds * threshold;
        var options = new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Durability = durability, CheckpointThresholdBytes = threshold };
        using var stop = new CancellationTokenSource();
        var scenario = new Scenario();
        long largestLog;
        DatabaseStats stats;
        using (PageDatabase db = PageDatabase.Open(path, options))
        {
            Thread[] threads = [new Thread(() => scenario.Write(db, stop.Token)), .. Enumerable.Range(0, Readers).Select(i => new Thread(() => scenario.Read(db, i, stop.Token)))];
            foreach (Thread thread in threads)
                thread.Start();
            largestLog = WatchLogFiles(path, duration, () => scenario.Committed > minimumWritten);
            stats = StatsWithAnOldReader(db);
            stop.Cancel();
            foreach (Thread thread in threads)
                thread.Join();
        }
        (long longest, long second) = scenario.LongestReaderWindows;
        long bound = 4 * threshold + longest + second;
        string figures = $"{durability}: {scenario.Commits} commits ({scenario.Committed} bytes), {scenario.ReaderTurns} reader turns (longest {scenario.LongestReaderLife.TotalMilliseconds:0} ms), " +
            $"largest -wal + -wal2 {largestLog} bytes, bound {bound} (4 thresholds + the two longest readers' windows, {longest} and {second} bytes); stats with readers open: oldest reader " +
            $"{stats.OldestReaderAge.TotalMilliseconds:0} ms old pinning {stats.OldestReaderPinnedWalBytes} bytes";
        TestContext.Out.WriteLine(figures);
        Assert.That(scenario.Failure, Is.Null, scenario.Failure?.ToString());
        Assert.That(scenario.Committed, Is.GreaterThan(minimumWritten), "the writer must write several thresholds' worth: " + figures);
        Assert.That(largestLog, Is.LessThan(bound), figures);
        Assert.That(stats.OldestReaderAge, Is.GreaterThan(TimeSpan.Zero), figures);
        Assert.That(stats.OldestReaderPinnedWalBytes, Is.GreaterThan(0), figures);
        using (PageDatabase reopened = PageDatabase.Open(path, options))
        {
            Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
            using ReadTransaction tx = reopened.BeginRead();
            Assert.That(tx.GetTree("t").Count, Is.EqualTo(Math.Min(scenario.Commits, Scenario.Keys)));
        }
    }

    /// <summary>GetStats while a reader of this thread's is open and at least one commit newer than its snapshot.</summary>
    private static DatabaseStats StatsWithAnOldReader(PageDatabase db)
    {
        using ReadTransaction held = db.BeginRead();
        long before = held.Engine.Wal.CommittedBytes;
        var clock = Stopwatch.StartNew();
        while ((held.Engine.Wal.CommittedBytes == before || clock.ElapsedMilliseconds < 5) && clock.Elapsed < TimeSpan.FromSeconds(30))
            Thread.Sleep(1);
        return db.GetStats();
    }

    /// <summary>
    /// Samples the two log files' sizes until <paramref name="duration"/> passes and the writer has written
    /// enough (<paramref name="enoughWritten"/>, or <see cref="WriteDeadline"/> more passed); returns the largest sum seen.
    /// </summary>
    private static long WatchLogFiles(string path, TimeSpan duration, Func<bool> enoughWritten)
    {
        long largest = 0;
        var clock = Stopwatch.StartNew();
        while ((clock.Elapsed < duration || !enoughWritten()) && clock.Elapsed < duration + WriteDeadline)
        {
            largest = Math.Max(largest, LengthOf(path + "-wal") + LengthOf(path + "-wal2"));
            Thread.Sleep(2);
        }
        return largest;
    }

    private static long LengthOf(string file)
    {
        var info = new FileInfo(file);
        return info.Exists ? info.Length : 0;
    }

    /// <summary>The writer and readers of the scenario, and what they measured.</summary>
    private sealed class Scenario
    {
        public const int Keys = 20_000;

        private readonly Lock _windowsLock = new();
        private long _longest;
        private long _second;
        private TimeSpan _longestLife;
        private long _readerTurns;
        private long _committed;

        public long Commits { get; private set; }

        /// <summary>Bytes of committed WAL frames written so far (by the end of the run, once the writer stopped). Any thread.</summary>
        public long Committed => Volatile.Read(ref _committed);

        public long ReaderTurns => Interlocked.Read(ref _readerTurns);

        /// <summary>The two largest counts of WAL bytes committed during one reader's life (from just before it began to its end).</summary>
        public (long Longest, long Second) LongestReaderWindows
        {
            get
            {
                lock (_windowsLock)
                    return (_longest, _second);
            }
        }

        /// <summary>The longest time a reader was open.</summary>
        public TimeSpan LongestReaderLife
        {
            get
            {
                lock (_windowsLock)
                    return _longestLife;
            }
        }

        public Exception? Failure { get; private set; }

        public void Write(PageDatabase db, CancellationToken stop)
        {
            Guard(() =>
            {
                byte[] value = new byte[24];
                while (!stop.IsCancellationRequested)
                {
                    using WriteTransaction tx = db.BeginWrite();
                    Random.Shared.NextBytes(value);
                    tx.GetOrCreateTree("t").Put(BitConverter.GetBytes((int)(Commits % Keys)), value);
                    tx.Commit();
                    Commits++;
                    Volatile.Write(ref _committed, tx.Engine.Wal.CommittedBytes);
                }
            });
        }

        /// <summary>Reader <paramref name="number"/> starts a third of a hold after the one before, so their lives are staggered.</summary>
        public void Read(PageDatabase db, int number, CancellationToken stop)
        {
            Guard(() =>
            {
                Thread.Sleep(ReaderHold * number / Readers);
                while (!stop.IsCancellationRequested)
                {
                    long before = CommittedBytes(db);
                    var life = Stopwatch.StartNew();
                    using (ReadTransaction tx = db.BeginRead())
                    {
                        if (tx.TryGetTree("t", out Tree? tree))
                            _ = tree.Count;
                        Thread.Sleep(ReaderHold);
                        Record(tx.Engine.Wal.CommittedBytes - before, life.Elapsed);
                    }
                    Interlocked.Increment(ref _readerTurns);
                }
            });
        }

        private static long CommittedBytes(PageDatabase db)
        {
            using ReadTransaction probe = db.BeginRead();
            return probe.Engine.Wal.CommittedBytes;
        }

        private void Guard(Action body)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                Failure ??= e;
            }
        }

        private void Record(long window, TimeSpan life)
        {
            lock (_windowsLock)
            {
                if (window > _longest)
                    (_longest, _second) = (window, _longest);
                else if (window > _second)
                    _second = window;
                if (life > _longestLife)
                    _longestLife = life;
            }
        }
    }
}
