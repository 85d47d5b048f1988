using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;

namespace PageDb.Replication.Tests;

/// <summary>
/// <see cref="CommitTally"/> against the log's own count (<see cref="ReplicationSource.CountCommits"/>, which walks
/// every frame from the mark) and the test's count of the commits it made: random commits of one to many pages,
/// rollbacks, held snapshots taken and let go as the replicator's mark is (the log switching files and forgetting
/// generations under a small checkpoint threshold), and counts asked at random marks, forwards and backwards.
/// </summary>
public sealed class CommitTallyTests
{
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "pagedb-tally-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void The_running_count_equals_the_walked_count_and_the_commits_made_at_every_mark([Values(0, 1, 2)] int run)
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using PageDatabase database = PageDatabase.Open(Path.Combine(_scratch, $"db{run}.pagedb"),
            new PageDbOptions { Durability = Durability.Normal, CheckpointThresholdBytes = 64 << 10 });
        var source = new ReplicationSource(database);
        var tally = new CommitTally(source);
        long commits = 0;
        // The held snapshots, oldest first, with the commits made before each: the first is the replicator's mark.
        var held = new List<(HeldSnapshot Snapshot, long Commits)>();
        long origin = Restart();
        try
        {
            for (int step = 0; step < 3000; step++)
            {
                int action = random.Next(100);
                if (action < 55)
                    Commit(rollback: false);
                else if (action < 60)
                    Commit(rollback: true);
                else if (action < 70)
                    held.Add((source.Hold(), commits));
                else if (action < 75 && held.Count > 1)
                    MoveMark();
                else if (action < 77)
                    origin = Restart();
                else
                    CheckAt(random.Next(held.Count + 1), step);
            }
        }
        finally
        {
            foreach ((HeldSnapshot snapshot, _) in held)
                snapshot.Dispose();
        }

        void Commit(bool rollback)
        {
            using WriteTransaction transaction = database.BeginWrite();
            Tree tree = transaction.GetOrCreateTree("t");
            for (int put = random.Next(1, random.Next(2) == 0 ? 3 : 60); put > 0; put--)
                tree.Put(BitConverter.GetBytes(random.Next(5000)), new byte[random.Next(1, 900)]);
            if (rollback)
                return;
            transaction.Commit();
            commits++;
        }

        // As a cut does: counts through the next held snapshot, which becomes the mark, then lets the older one go
        // (the log may then forget the frames before the new mark).
        void MoveMark()
        {
            tally.Through(held[1].Snapshot.Mark);
            held[0].Snapshot.Dispose();
            held.RemoveAt(0);
        }

        // As a new generation does: everything let go, one snapshot held, counted from there.
        long Restart()
        {
            foreach ((HeldSnapshot snapshot, _) in held)
                snapshot.Dispose();
            held.Clear();
            held.Add((source.Hold(), commits));
            tally.Restart(held[0].Snapshot.Mark);
            return commits;
        }

        // Asks the count through a held snapshot (index < held.Count) or the last commit, checked two ways.
        void CheckAt(int index, int step)
        {
            (WalMark mark, long made) = index < held.Count ? (held[index].Snapshot.Mark, held[index].Commits) : (source.LastCommit, commits);
            string context = $"{TestSeed.Describe(seed)}, step {step}";
            long fromMark = tally.Through(mark) - tally.Through(held[0].Snapshot.Mark);
            Assert.That(fromMark, Is.EqualTo(source.CountCommits(held[0].Snapshot.Mark, mark)), context);
            Assert.That(fromMark, Is.EqualTo(made - held[0].Commits), context);
            Assert.That(tally.Through(mark), Is.EqualTo(made - origin), context);
        }
    }
}
