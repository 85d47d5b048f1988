using System.Collections.Concurrent;
using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Automatic checkpoints run on the engine's background thread (src/PageDb/Engine/BackgroundCheckpointer.cs): the
/// committing thread only switches log files, never copies pages into the database file, and a switch the background
/// prepared costs it one sync; closing still leaves a fully checkpointed file and empty logs. (Its failure path is in FailureTests.)
/// </summary>
public class BackgroundCheckpointerTests
{
    [Test]
    public void The_committing_thread_never_copies_into_the_database_file_and_closing_leaves_it_checkpointed()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 32 << 10, Durability = Durability.Normal, BackgroundCheckpoints = true };
        var databaseWriters = new ConcurrentBag<int>();
        int committer = Environment.CurrentManagedThreadId;
        int written = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            Put(db, "t", ("warm", "up"));
            faulty.BeforeWrite = path =>
            {
                if (path == DbPath)
                    databaseWriters.Add(Environment.CurrentManagedThreadId);
            };
            WriteAheadLog wal = WalOf(db);
            for (int cycle = 0; cycle < 4; cycle++)
            {
                // Commit until the log switches files, then let the background copy the older file out before going
                // on, so the writer never falls two thresholds behind (when it would copy itself: backpressure).
                while (!wal.HasOlderGeneration)
                    Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                Assert.That(WaitUntil(() => !wal.HasOlderGeneration), Is.True, $"cycle {cycle}: the background copied the older file out");
            }
            faulty.BeforeWrite = null;
            Assert.That(databaseWriters, Is.Not.Empty, "the older generations were copied into the database file");
            Assert.That(databaseWriters, Has.None.EqualTo(committer), "no copy ran on the committing thread");
        }

        Assert.That(memory.GetContents(DbPath + "-wal"), Has.Length.EqualTo(WalFormat.HeaderSize), "closing checkpoints and truncates");
        Assert.That(memory.GetContents(DbPath + "-wal2"), Has.Length.EqualTo(WalFormat.HeaderSize), "closing truncates the second file too");
        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written + 1));
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    /// <summary>
    /// Also below 32 KiB of threshold, where twice the threshold (the size above which a forgotten file is shrunk) is
    /// less than the first growth step (64 KiB) a file made ready for a switch holds: every file made ready counted as
    /// due to be shrunk again, no preparation was adopted, and each switch wrote and synced the other file's header,
    /// shrink and growth step on the committing thread.
    /// </summary>
    [TestCase(32 << 10)]
    [TestCase(8 << 10)]
    public void A_switch_prepared_in_the_background_costs_the_committing_thread_one_sync_of_the_file_it_leaves(int threshold)
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = threshold, Durability = Durability.Normal, BackgroundCheckpoints = true };
        int committer = Environment.CurrentManagedThreadId;
        var committerSyncs = new ConcurrentQueue<string>();
        int written = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            WriteAheadLog wal = WalOf(db);
            faulty.BeforeSync = (path, _) =>
            {
                if (Environment.CurrentManagedThreadId == committer)
                    committerSyncs.Enqueue(path);
            };
            // Cycle 0 switches into a -wal2 the background created; later cycles into the file it forgot (and prepared
            // when it forgot it: those switch at the first commit past the threshold once the current file is synced ahead).
            for (int cycle = 0; cycle < 4; cycle++)
            {
                // Past the threshold a commit only signals the background, which writes the other file's next header
                // (unless the forget did) and syncs the current file ahead; the first commit after that switches.
                ulong generation = wal.CheckpointSequence;
                while (wal.CheckpointSequence == generation)
                {
                    if (wal.LogBytes > options.CheckpointThresholdBytes)
                    {
                        Assert.That(wal.HasOlderGeneration, Is.False, $"cycle {cycle}: no switch before the background prepared it");
                        Assert.That(WaitUntil(() => wal.IsSwitchPrepared), Is.True, $"cycle {cycle}: the background prepared the switch");
                    }
                    committerSyncs.Clear();
                    Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                }
                string leaving = DbPath + (cycle % 2 == 0 ? "-wal" : "-wal2");
                Assert.That(committerSyncs, Is.EqualTo(new[] { leaving }), $"cycle {cycle}: one sync, of the file left behind");
                Assert.That(WaitUntil(() => !wal.HasOlderGeneration), Is.True, $"cycle {cycle}: the background copied the older file out");
            }
            faulty.BeforeSync = null;
        }

        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written));
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    /// <summary>
    /// Issue 17's cost of replication (docs/benchmarks.md, "Replication"): the replicator's "archived through" mark is a
    /// reader that holds the older generation for about a second at a time while it moves forward, and the current
    /// file grows past twice the threshold meanwhile. The committing thread then copied the older generation up to the
    /// mark itself at each of its moves (the copy's syncs on the commit path, forgetting nothing), and once the mark let
    /// the older generation go, switched unprepared: a sync of everything appended since the last one, the other file
    /// shrunk, a new header and its first growth step, each synced (about 7.7 ms on the bench machine). Now the
    /// background copies, its forget prepares the other file and it syncs the current file ahead while the older
    /// generation is held, so the switch costs the committing thread one short sync of the file it leaves. Two readers
    /// play the mark: the older one pins the copy, releasing it lets the copy go up to the newer one, releasing that
    /// lets the older generation go. Syncs and writes are counted per thread through the recording storage.
    /// </summary>
    [Test]
    public void Behind_a_moving_reader_the_committing_thread_copies_nothing_and_switches_with_one_sync()
    {
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 64 << 10, Durability = Durability.Normal, BackgroundCheckpoints = true };
        int committer = Environment.CurrentManagedThreadId;
        var committerSyncs = new ConcurrentQueue<string>();
        var committerDatabaseWrites = new ConcurrentQueue<string>();
        int written = 0;
        PageDatabase? database = null;
        void Commit() => Put(database!, "t", ($"k{written++:D5}", new string('v', 300)));
        // Commits until the log switches, each past the threshold once the background has prepared the switch; the
        // switching commit's syncs on this thread must be one sync, of the file it leaves.
        void CommitUntilSwitched(string leaving, string what)
        {
            WriteAheadLog wal = WalOf(database!);
            ulong generation = wal.CheckpointSequence;
            while (wal.CheckpointSequence == generation)
            {
                if (wal.LogBytes > options.CheckpointThresholdBytes)
                    Assert.That(WaitUntil(() => wal.IsSwitchPrepared), Is.True, $"{what}: the background prepared the switch");
                committerSyncs.Clear();
                Commit();
            }
            Assert.That(committerSyncs, Is.EqualTo(new[] { leaving }), $"{what}: one sync, of the file left behind");
        }
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            database = db;
            WriteAheadLog wal = WalOf(db);
            Commit();
            faulty.BeforeSync = (path, _) =>
            {
                if (Environment.CurrentManagedThreadId == committer)
                    committerSyncs.Enqueue(path);
            };
            faulty.BeforeWrite = path =>
            {
                if (path == DbPath && Environment.CurrentManagedThreadId == committer)
                    committerDatabaseWrites.Enqueue(path);
            };
            int shrunkPreparations = 0;
            long leftBehindLength = 0; // of -wal2 once the last cycle's second switch left it behind
            for (int cycle = 0; cycle < 4; cycle++)
            {
                // The generation the last cycle left behind in -wal2 has no reader: the background copies it out and
                // forgets it, which prepares the file (shrinking it: it grew past twice the threshold behind the readers).
                Assert.That(WaitUntil(() => !wal.HasOlderGeneration), Is.True, $"cycle {cycle}: the background forgot the last cycle's older generation");
                if (leftBehindLength > 2 * options.CheckpointThresholdBytes)
                {
                    shrunkPreparations++;
                    // Waited for, not read at once: the forget drops the older generation's index (HasOlderGeneration
                    // turns false) before it shrinks the file.
                    Assert.That(WaitUntil(() => memory.GetContents(DbPath + "-wal2").Length <= 2 * options.CheckpointThresholdBytes), Is.True,
                        $"cycle {cycle}: the forget shrank the file it prepared to at most twice the threshold ({leftBehindLength} bytes before)");
                }
                ReadTransaction pinning = db.BeginRead(); // the mark where the copy stands
                Commit();
                ReadTransaction moved = db.BeginRead(); // where the mark moves next: still inside the generation left behind
                CommitUntilSwitched(DbPath + "-wal", $"cycle {cycle}, away from -wal");
                Assert.That(wal.HasOlderGeneration, Is.True, $"cycle {cycle}: the readers hold the generation left behind");
                while (wal.LogBytes <= 2 * options.CheckpointThresholdBytes + (16 << 10))
                    Commit(); // past twice the threshold, where the writer copied itself
                pinning.Dispose(); // the mark moves: the older generation can be copied up to 'moved', not forgotten
                for (int i = 0; i < 20; i++)
                    Commit();
                Assert.That(wal.HasOlderGeneration, Is.True, $"cycle {cycle}: 'moved' still holds the older generation");
                moved.Dispose(); // the mark lets the older generation go: the background copies, forgets and prepares
                Assert.That(WaitUntil(() => !wal.HasOlderGeneration && wal.IsSwitchPrepared), Is.True,
                    $"cycle {cycle}: the background forgot the older generation and prepared the switch into its file");
                CommitUntilSwitched(DbPath + "-wal2", $"cycle {cycle}, back from -wal2");
                leftBehindLength = memory.GetContents(DbPath + "-wal2").Length;
            }
            faulty.BeforeSync = null;
            faulty.BeforeWrite = null;
            Assert.That(shrunkPreparations, Is.Positive, "some forgotten file had grown past twice the threshold");
            Assert.That(committerDatabaseWrites, Is.Empty, "no copy into the database file ran on the committing thread");
        }

        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written));
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void While_a_reader_holds_the_older_generation_the_commits_that_signal_the_background_set_its_event_at_most_once()
    {
        var options = new PageDbOptions { Storage = new MemoryStorage(), CheckpointThresholdBytes = 32 << 10, Durability = Durability.Normal, BackgroundCheckpoints = true };
        int written = 0;
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        WriteAheadLog wal = WalOf(db);
        BackgroundCheckpointer background = EngineOf(db).Background!;
        Put(db, "t", ("warm", "up"));
        ReadTransaction reader = db.BeginRead(); // its snapshot, in the older generation once the log switches, holds that back
        try
        {
            while (!wal.HasOlderGeneration)
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
            // Every commit below leaves the older generation in place, so it signals the background (MaintainLog),
            // which meanwhile retries every few milliseconds.
            long before = background.WakeUpsSet;
            const int Commits = 300;
            for (int i = 0; i < Commits; i++)
            {
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                Assert.That(wal.HasOlderGeneration, Is.True, $"commit {i}: the reader holds the older generation");
            }
            Assert.That(background.WakeUpsSet - before, Is.LessThanOrEqualTo(1), $"events set by {Commits} commits that signalled");
        }
        finally
        {
            reader.Dispose();
        }
        Assert.That(WaitUntil(() => !wal.HasOlderGeneration), Is.True, "once the reader left, the background copied the older generation out");
    }

    [Test]
    public void The_background_grows_the_log_file_ahead_so_no_commit_writes_a_growth_step_of_zeros()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        // Growth steps of a quarter of the threshold (512 KiB): the commits below cross three of them, and no switch.
        const long Threshold = 2 << 20;
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = Threshold, Durability = Durability.Normal, BackgroundCheckpoints = true };
        int committer = Environment.CurrentManagedThreadId;
        int committerWrites = 0;
        int written = 0;
        using (PageDatabase db = PageDatabase.Open(DbPath, options))
        {
            WriteAheadLog wal = WalOf(db);
            Put(db, "t", ("warm", "up"));
            faulty.BeforeWrite = path =>
            {
                if (path == DbPath + "-wal" && Environment.CurrentManagedThreadId == committer)
                    committerWrites++;
            };
            while (wal.LogBytes < Threshold * 7 / 8)
            {
                Assert.That(WaitUntil(() => !wal.NeedsGrowthAhead), Is.True, $"commit {written}: the background grew the file ahead");
                committerWrites = 0;
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                // Its frames, in one write; growing the file itself would have added a step of zeros (8 more writes).
                Assert.That(committerWrites, Is.EqualTo(1), $"commit {written - 1}: the committing thread's writes to the log");
            }
            faulty.BeforeWrite = null;
            Assert.That(wal.HasOlderGeneration, Is.False, "no switch");
        }

        using PageDatabase reopened = PageDatabase.Open(DbPath, options);
        using ReadTransaction tx = reopened.BeginRead();
        Assert.That(tx.GetTree("t").Count, Is.EqualTo(written + 1));
        Assert.That(reopened.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void On_linux_the_background_thread_runs_under_sched_batch_so_its_wake_up_never_preempts_the_writer()
    {
        Assume.That(LinuxNative.IsSupported, "SCHED_BATCH is Linux's");
        var options = new PageDbOptions { Storage = new MemoryStorage(), Durability = Durability.Normal, BackgroundCheckpoints = true };
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        // The thread sets its policy as it starts; every checkpoint thread of this process does (tests run in parallel).
        Assert.That(WaitUntil(() => CheckpointThreadPolicies() is { Count: > 0 } policies && policies.All(p => p == SchedBatch)), Is.True,
            $"policies of the checkpoint threads: {string.Join(", ", CheckpointThreadPolicies())}");
    }

    private const int SchedBatch = 3;

    /// <summary>The scheduling policy (field 41 of /proc/self/task/&lt;tid&gt;/stat) of every thread named as a checkpoint thread.</summary>
    private static List<int> CheckpointThreadPolicies()
    {
        var policies = new List<int>();
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("PageDb checkp", StringComparison.Ordinal))
                    continue;
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                string[] afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields 3 onwards
                policies.Add(int.Parse(afterName[41 - 3], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }
        return policies;
    }
}
