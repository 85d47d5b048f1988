using System.Globalization;
using PageDb.Testing;
using PageDb.Testing.Processes;

namespace PageDb.Replication.Tests;

/// <summary>
/// A writer process (tests/PageDb.ReplicationChild) replicating to a folder store is killed with SIGKILL while it
/// ships, then started again: it continues the same generation (its log, or the histories earlier opens kept beside
/// the database, still hold every commit after the last shipped state), also after two kills in a row before any cut
/// was stored, and after every kill a restore of that one generation, with no gap, holds every commit the child saw
/// shipped before the kill and none it had not yet made; a read replica opened after the first kill follows the
/// restarted writers to that same state. A killed writer whose database is then changed without replication starts a
/// new generation at its restart. The status file the killed writer published reads back in this process, and the next
/// open replaces it.
/// <para>
/// Each child runs its (random or fixed) time and then on until it has reached what the test needs of it (a commit it
/// saw shipped, its resume note, a spill on disk), up to <see cref="KilledChildRun.StateDeadline"/>: a loaded machine
/// (CI has 2 cores) stretches a first snapshot and shipment from tens of milliseconds to seconds, and a child killed
/// by the clock before it had shipped anything left the test nothing to check.
/// </para>
/// </summary>
public sealed class ReplicatorKillTests
{
    [Test]
    public void A_writer_killed_while_shipping_loses_no_shipped_commit_from_the_replica()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-replication-kill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        string storePath = Path.Combine(directory, "store");
        ReadReplica? replica = null;
        try
        {
            long everShipped = 0, replicaSeen = 0;
            string? continuable = null; // the generation the next child must continue: one with a segment stored
            int continued = 0;
            // Three kills; up to eight when the first ones left nothing to continue (a generation whose commits were all
            // in its snapshot, with no segment of its own).
            for (int round = 0; round < 3 || ((everShipped == 0 || continued == 0) && round < 8); round++)
            {
                string context = $"kill {round}; {TestSeed.Describe(seed)}";
                (long lastAck, long shipped, string? resume) = RunAndKill(dbPath, storePath, random.Next(300, 900), [], p => p.Shipped > 0 && p.Resume is not null, context);
                everShipped = Math.Max(everShipped, shipped);
                string restoredPath = Path.Combine(directory, $"restored-{round}.pagedb");

                var store = new FolderReplicaStore(storePath);
                if (!PageDatabase.ListReplicaGenerationsAsync(store).GetAwaiter().GetResult().Any(g => g.HasSnapshot))
                {
                    // Killed before the first snapshot was stored: fine, as long as the child never saw anything shipped.
                    Assert.That(everShipped, Is.Zero, $"{context}: commits were shipped, but the store holds no generation");
                    continue;
                }
                RestoreResult result = PageDatabase.Restore(store, restoredPath);
                IReadOnlyList<ReplicaGeneration> generations = PageDatabase.ListReplicaGenerationsAsync(store).GetAwaiter().GetResult();
                if (continuable is not null)
                {
                    Assert.That(resume, Does.StartWith($"continued generation {continuable}"), context);
                    Assert.That(generations[^1].Name, Is.EqualTo(continuable), $"{context}: the restarted writer continued the generation");
                    continued++;
                }
                // Once the newest generation has a segment, every later child continues it: one killed before its own
                // first cut truncated the last shipped state's way into the file, but its open kept it beside the file.
                continuable = generations[^1].SegmentCount > 0 ? generations[^1].Name : null;
                Assert.That(result.StoppedEarly, Is.Null, $"{context}: no gap in the continued generation");

                using PageDatabase restored = PageDatabase.Open(restoredPath);
                long commit = CommitLog.CommitOf(restored, context);
                Assert.That(commit, Is.InRange(everShipped, lastAck + 1), $"{context}: restored generation {result.Generation} ({result.StoppedEarly})");
                TestContext.Out.WriteLine($"{context}: acknowledged {lastAck}, seen shipped {shipped}, restored {commit}");

                // A read replica opened once follows every restarted writer's new generation, without a restart of its
                // own, to the state a restore gives, never going back.
                ReadReplica follower = replica ??= PageDatabase.OpenReplica(store, Path.Combine(directory, "replica.pagedb"), TimeSpan.FromMilliseconds(20));
                ReplicatorTests.WaitUntil(() => CommitLog.CommitOf(follower.Database, context) >= commit);
                long served = CommitLog.CommitOf(follower.Database, context);
                Assert.That(served, Is.EqualTo(commit).And.GreaterThanOrEqualTo(replicaSeen), $"{context}: the replica follows generation {follower.Generation} (error: {follower.LastError})");
                replicaSeen = served;
            }
            Assert.That(everShipped, Is.GreaterThan(0), "no child ever saw a commit shipped, so nothing was checked");
            Assert.That(continued, Is.GreaterThan(0), "no restarted child had a generation with a segment to continue, so resuming was not checked");
        }
        finally
        {
            replica?.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void A_writer_killed_twice_before_its_first_cut_still_continues_the_generation()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-replication-kill-twice-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        string storePath = Path.Combine(directory, "store");
        var store = new FolderReplicaStore(storePath);
        try
        {
            long shipped = 0;
            ReplicaGeneration? shippedGeneration = null;
            IReadOnlyList<ReplicaGeneration> listed = [];
            // Again when the child's shipped commits were all in its snapshot (a generation with no segment of its own).
            for (int attempt = 0; attempt < 4 && shippedGeneration is not { SegmentCount: > 0 }; attempt++)
            {
                (_, shipped, _) = RunAndKill(dbPath, storePath, 800, [], p => p.Shipped > 0, "shipping child");
                listed = PageDatabase.ListReplicaGenerationsAsync(store).GetAwaiter().GetResult();
                shippedGeneration = listed.Count == 0 ? null : listed[^1];
            }
            Assert.That(shippedGeneration, Is.Not.Null.And.Property(nameof(ReplicaGeneration.SegmentCount)).GreaterThan(0), "no child shipped a segment, so nothing was checked");

            // Two writers in a row whose segments never reach the store: each open truncates its log into the file, the
            // first one's open the last shipped state's way with it; what the opens kept must show the way still.
            long lastAck = 0;
            for (int kill = 0; kill < 2; kill++)
            {
                (lastAck, _, string? resume) = RunAndKill(dbPath, storePath, 600, ["stall-segments"], p => p.Resume is not null, $"stalled child {kill}");
                Assert.That(resume, Does.StartWith($"continued generation {shippedGeneration!.Name}"), $"stalled child {kill}");
            }

            string? resumed;
            long final;
            using (PageDatabase database = ReplicatorTests.OpenReplicated(store, dbPath))
            {
                ReplicatorTests.WaitUntilShipped(database);
                resumed = database.GetStats().Replication!.Resume;
                final = CommitLog.CommitOf(database, "reopened");
            }
            IReadOnlyList<ReplicaGeneration> generations = PageDatabase.ListReplicaGenerationsAsync(store).GetAwaiter().GetResult();
            RestoreResult result = PageDatabase.Restore(store, Path.Combine(directory, "restored.pagedb"));
            using PageDatabase restored = PageDatabase.Open(Path.Combine(directory, "restored.pagedb"));

            Assert.That(shipped, Is.GreaterThan(0), "the first child saw nothing shipped, so nothing was checked");
            Assert.That(resumed, Does.StartWith($"continued generation {shippedGeneration!.Name} after segment {shippedGeneration.SegmentCount}"));
            Assert.That(generations.Select(g => g.Name), Is.EqualTo(listed.Select(g => g.Name)), "no new generation was started");
            Assert.That(result.Generation, Is.EqualTo(shippedGeneration.Name));
            Assert.That(result.StoppedEarly, Is.Null, "no gap in the continued generation");
            Assert.That(final, Is.InRange(lastAck, lastAck + 1), "the reopened database holds every commit of the stalled children");
            Assert.That(CommitLog.CommitOf(restored, "restored"), Is.EqualTo(final), "the restore equals the model at the last commit");
            Assert.That(File.Exists(dbPath + "-replica-history"), Is.False, "the kept histories are deleted once a cut is stored");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void A_damaged_history_file_is_ignored_and_the_restart_starts_a_new_generation()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-replication-kill-torn-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        string storePath = Path.Combine(directory, "store");
        var store = new FolderReplicaStore(storePath);
        try
        {
            // The shipping child must leave commits the store lacks (else the stalled child's open starts at the shipped
            // state itself, and its own log proves the way without the history file).
            (long shippingAck, long shipped, _) = RunAndKill(dbPath, storePath, 800, [], p => p.Shipped > 0 && p.LastAck > p.Shipped + 1, "shipping child");
            (long lastAck, _, _) = RunAndKill(dbPath, storePath, 600, ["stall-segments"], p => p.Resume is not null, "stalled child");
            string historyPath = dbPath + "-replica-history";
            bool kept = File.Exists(historyPath);
            if (kept)
            {
                byte[] bytes = File.ReadAllBytes(historyPath);
                bytes[bytes.Length / 2] ^= 0xff;
                File.WriteAllBytes(historyPath, bytes);
            }

            string? resumed;
            long final;
            using (PageDatabase database = ReplicatorTests.OpenReplicated(store, dbPath))
            {
                ReplicatorTests.WaitUntilShipped(database);
                resumed = database.GetStats().Replication!.Resume;
                final = CommitLog.CommitOf(database, "reopened");
            }
            PageDatabase.Restore(store, Path.Combine(directory, "restored.pagedb"));
            using PageDatabase restored = PageDatabase.Open(Path.Combine(directory, "restored.pagedb"));

            Assert.That(shipped, Is.GreaterThan(0), "the first child saw nothing shipped, so nothing was checked");
            Assert.That(shippingAck, Is.GreaterThan(shipped + 1), "the first child left nothing unshipped, so nothing was checked");
            Assert.That(kept, "the stalled child's open kept no history beside the database, so nothing was checked");
            // The usual outcome: the damaged file is ignored and the way back is not proven. When the stalled child's
            // own log already reached back to the shipped state (it depends on where the kills fell), the restart
            // continues without the file; either way the restore below must equal the database.
            TestContext.Out.WriteLine($"restart: {resumed}");
            Assert.That(resumed, Does.StartWith("started a new generation: the database's history does not pass through")
                .Or.StartWith("continued generation"));
            Assert.That(final, Is.InRange(lastAck, lastAck + 1));
            Assert.That(CommitLog.CommitOf(restored, "restored"), Is.EqualTo(final), "the new generation restores to the last commit");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void A_writer_killed_then_changed_without_replication_starts_a_new_generation_at_its_restart()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-replication-kill-new-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        string storePath = Path.Combine(directory, "store");
        try
        {
            (long killedAt, long shipped, _) = RunAndKill(dbPath, storePath, 800, [], p => p.Shipped > 0, "first child");
            long unshipped;
            using (PageDatabase unreplicated = PageDatabase.Open(dbPath)) // its open checkpoints the killed child's log
            {
                unshipped = CommitLog.CommitOf(unreplicated, "unreplicated") + 1;
                CommitLog.Commit(unreplicated, unshipped);
            }
            (long lastAck, _, string? resume) = RunAndKill(dbPath, storePath, 800, [], p => p.Resume is not null && p.Shipped > 0, "second child");

            var store = new FolderReplicaStore(storePath);
            IReadOnlyList<ReplicaGeneration> generations = PageDatabase.ListReplicaGenerationsAsync(store).GetAwaiter().GetResult();
            PageDatabase.Restore(store, Path.Combine(directory, "restored.pagedb"));
            using PageDatabase restored = PageDatabase.Open(Path.Combine(directory, "restored.pagedb"));

            Assert.That(shipped, Is.GreaterThan(0), "the first child saw nothing shipped, so nothing was checked");
            Assert.That(resume, Does.StartWith("started a new generation: the database's history does not pass through"));
            Assert.That(generations.Count(g => g.HasSnapshot), Is.EqualTo(2));
            Assert.That(CommitLog.CommitOf(restored, "restored"), Is.InRange(unshipped, lastAck + 1), $"first child killed after commit {killedAt}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void A_snapshot_spill_left_by_a_killed_writer_is_gone_after_the_next_open_with_replication()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-replication-spill-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        string storePath = Path.Combine(directory, "store");
        bool SpillExists() => SnapshotSpillFile.Find(dbPath).Count > 0;
        try
        {
            (long lastAck, _, _) = RunAndKill(dbPath, storePath, 1000, ["stall-snapshots"], p => p.LastAck > 0 && SpillExists(), "stalled snapshot put");
            bool leftByTheKill = SpillExists();

            var store = new FolderReplicaStore(storePath);
            using (PageDatabase database = ReplicatorTests.OpenReplicated(store, dbPath))
                ReplicatorTests.WaitUntilShipped(database);
            PageDatabase.Restore(store, Path.Combine(directory, "restored.pagedb"));

            Assert.That(leftByTheKill, "the killed child left no snapshot spill beside the database, so nothing was checked");
            Assert.That(SpillExists(), Is.False, "the spill of the killed process is still there");
            using PageDatabase restored = PageDatabase.Open(Path.Combine(directory, "restored.pagedb"));
            // The commit after the last ACK line may have been made before the kill, its line not yet written.
            Assert.That(CommitLog.CommitOf(restored, "restored"), Is.InRange(lastAck, lastAck + 1).And.GreaterThan(0));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void The_status_file_a_killed_writer_published_is_read_from_another_process_then_replaced_at_open_and_removed_at_close()
    {
        string directory = Path.Combine(Path.GetTempPath(), "pagedb-replication-status-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string dbPath = Path.Combine(directory, "db.pagedb");
        string statusPath = ReplicaStatusFile.PathFor(dbPath);
        try
        {
            (_, long shipped, _) = RunAndKill(dbPath, Path.Combine(directory, "store"), 1500, [],
                p => p.Shipped > 0 && ReplicaStatusFile.TryRead(statusPath, out _) is { LastShippedAt: not null }, "status file");
            ReplicaStatus? left = ReplicaStatusFile.TryRead(statusPath, out string? unreadable);

            ReplicaStatus replaced;
            using (PageDatabase database = ReplicatorTests.OpenReplicated(new FolderReplicaStore(Path.Combine(directory, "store")), dbPath))
            {
                ReplicaStatus? now = null;
                ReplicatorTests.WaitUntil(() => (now = ReplicaStatusFile.TryRead(statusPath, out _)) is { } s && s.Generation == database.ReplicationStats!.Generation);
                replaced = now!;
            }

            Assert.That(shipped, Is.GreaterThan(0), "the child saw nothing shipped, so nothing was checked");
            Assert.That(unreadable, Is.Null, "the killed child's status file reads back");
            Assert.That(left!.Generation, Is.Not.Null);
            Assert.That(left.LastShippedAt, Is.Not.Null);
            Assert.That(replaced.Generation, Is.EqualTo(left.Generation), "the restart continues the generation");
            Assert.That(replaced.Resume, Does.StartWith($"continued generation {left.Generation}"), "the status file says the restart continued it");
            Assert.That(replaced.WrittenAt, Is.GreaterThan(left.WrittenAt));
            Assert.That(File.Exists(statusPath), Is.False, "a clean close deletes the status file");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Runs a child (in <paramref name="mode"/>, see tests/PageDb.ReplicationChild) until READY plus
    /// <paramref name="runMilliseconds"/>, and on until its progress so far is what the test <paramref name="needs"/>
    /// (see <see cref="KilledChildRun.StateDeadline"/>), kills it; returns the last commit it acknowledged, the last it
    /// saw shipped, and its replicator's resume note.
    /// </summary>
    private static (long LastAck, long Shipped, string? Resume) RunAndKill(string dbPath, string storePath, int runMilliseconds, string[] mode,
        Func<ChildProgress, bool> needs, string context)
    {
        var progress = new ChildProgress();
        List<string> lines = KilledChildRun.Run(ChildPath(), [dbPath, storePath, .. mode], runMilliseconds, soFar => needs(progress.Read(soFar)), context);
        progress.Read(lines);
        return (progress.LastAck, progress.Shipped, progress.Resume);
    }

    /// <summary>What a child's lines said so far (read incrementally: the lines only grow).</summary>
    private sealed class ChildProgress
    {
        private int _read;

        /// <summary>The last commit it acknowledged (READY or ACK).</summary>
        public long LastAck { get; private set; }

        /// <summary>The last commit it saw shipped (SHIPPED), 0 for none.</summary>
        public long Shipped { get; private set; }

        /// <summary>Its replicator's resume note (RESUME), null before it decided.</summary>
        public string? Resume { get; private set; }

        /// <summary>Reads the lines after those read before.</summary>
        public ChildProgress Read(IReadOnlyList<string> lines)
        {
            for (; _read < lines.Count; _read++)
            {
                string line = lines[_read];
                if (line.StartsWith("RESUME ", StringComparison.Ordinal))
                {
                    Resume ??= line["RESUME ".Length..];
                    continue;
                }
                string[] parts = line.Split(' ');
                if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
                    continue;
                if (parts[0] is "READY" or "ACK")
                    LastAck = n;
                else if (parts[0] == "SHIPPED")
                    Shipped = n;
            }
            return this;
        }
    }

    private static string ChildPath()
    {
        string testDirectory = TestContext.CurrentContext.TestDirectory;
        string path = testDirectory.Replace("PageDb.Replication.Tests", "PageDb.ReplicationChild", StringComparison.Ordinal);
        return Path.Combine(path, "PageDb.ReplicationChild.dll");
    }
}
