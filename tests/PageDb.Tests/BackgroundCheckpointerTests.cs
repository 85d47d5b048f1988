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

    [Test]
    public void A_switch_prepared_in_the_background_costs_the_committing_thread_one_sync_of_the_file_it_leaves()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        var options = new PageDbOptions { Storage = faulty, CheckpointThresholdBytes = 32 << 10, Durability = Durability.Normal, BackgroundCheckpoints = true };
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
            // Cycle 0 switches into a -wal2 the background created; later cycles into the file it forgot.
            for (int cycle = 0; cycle < 4; cycle++)
            {
                // Past the threshold a commit only signals the background, which writes the other file's next header
                // and syncs the current file ahead; the first commit after that switches.
                while (wal.LogBytes <= options.CheckpointThresholdBytes)
                    Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                Assert.That(wal.HasOlderGeneration, Is.False, $"cycle {cycle}: no switch before the background prepared it");
                Assert.That(WaitUntil(() => wal.IsSwitchPrepared), Is.True, $"cycle {cycle}: the background prepared the switch");
                committerSyncs.Clear();
                ulong generation = wal.CheckpointSequence;
                Put(db, "t", ($"k{written++:D5}", new string('v', 300)));
                string leaving = DbPath + (cycle % 2 == 0 ? "-wal" : "-wal2");
                Assert.That(wal.CheckpointSequence, Is.GreaterThan(generation), $"cycle {cycle}: the commit switched");
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
