using System.Collections.Concurrent;
using System.Text;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;

namespace PageDb.CrashTests;

/// <summary>
/// The background checkpointer beside real threads (issue #12): one thread commits one-row transactions at
/// <see cref="Durability.Full"/> nonstop while two reader threads keep snapshots open (so the log switches files and
/// the background copies the older one out, forgets it and is held back by readers, all beside the writer), until a
/// power loss at a random I/O call of any of those threads. After recovery every acknowledged commit must be there,
/// the one in flight may be, nothing else, and the integrity check must be clean. The crash harness
/// (<see cref="CrashRecoveryTests"/>) runs its workload on one thread; this is the test whose thread timing varies.
/// The random choices (crash point, disk the crash leaves) replay by seed; the interleaving does not.
/// </summary>
public class ConcurrentCheckpointPowerLossTests
{
    private const string DbPath = "race/db.pagedb";

    [Test]
    public void Commits_acknowledged_beside_background_checkpoints_and_readers_survive_a_power_loss()
    {
        int seed = TestSeed.Next();
        int rounds = TestSeed.LongRun ? 400 : 40;
        long checkedCommits = 0;
        for (int round = 0; round < rounds; round++)
            checkedCommits += RunRound(seed + round);
        TestContext.Out.WriteLine($"{rounds} power losses, {checkedCommits} acknowledged commits checked");
        Assert.That(checkedCommits, Is.Positive);
    }

    /// <summary>Runs the threads until a power loss, recovers and checks; returns how many acknowledged commits were checked.</summary>
    private static int RunRound(int seed)
    {
        var random = new Random(seed);
        var storage = new FaultInjectingStorage();
        var options = new PageDbOptions
        {
            Storage = storage,
            Durability = Durability.Full,
            CacheSizeBytes = 64 * 4096,
            CheckpointThresholdBytes = 16 << 10,
            WriteLockTimeout = TimeSpan.FromSeconds(10),
        };
        var db = PageDatabase.Open(DbPath, options);
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTree("t");
            tx.Commit();
        }
        storage.CrashAtCall = storage.Calls + random.Next(200, 4000);
        int acknowledged = 0; // keys 0 .. acknowledged - 1 were acknowledged; key 'acknowledged' may be in flight
        var readerFailures = new ConcurrentQueue<Exception>();
        Thread[] readers = [.. Enumerable.Range(0, 2).Select(i => StartReader(db, storage, unchecked(seed * 31 + i), readerFailures))];
        try
        {
            while (!storage.HasCrashed)
            {
                using WriteTransaction tx = db.BeginWrite();
                tx.GetTree("t").Put(Key(acknowledged), Value(acknowledged));
                tx.Commit();
                acknowledged++;
            }
        }
        catch (Exception) when (storage.HasCrashed)
        {
            // The power loss surfaced in the writer, or the background's failure poisoned the engine.
        }
        foreach (Thread reader in readers)
            reader.Join();
        Assert.That(readerFailures, Is.Empty, $"a reader failed before the power loss; {TestSeed.Describe(seed)}");
        Abandon(db);
        storage.Crash(seed);
        storage.CrashAtCall = null;
        using PageDatabase recovered = PageDatabase.Open(DbPath, options);
        using (ReadTransaction tx = recovered.BeginRead())
        {
            Tree tree = tx.GetTree("t");
            string context = $"{TestSeed.Describe(seed)}: {acknowledged} commits acknowledged, the tree holds {tree.Count}";
            Assert.That(tree.Count, Is.InRange(acknowledged, acknowledged + 1), context);
            for (int i = 0; i < tree.Count; i++)
                Assert.That(tree.Get(Key(i)), Is.EqualTo(Value(i)), $"key {i}; {context}");
        }
        Assert.That(recovered.CheckIntegrity().IsOk, Is.True, TestSeed.Describe(seed));
        return acknowledged;
    }

    /// <summary>A thread that keeps a snapshot open for a few commits at a time until the power loss.</summary>
    private static Thread StartReader(PageDatabase db, FaultInjectingStorage storage, int seed, ConcurrentQueue<Exception> failures)
    {
        var thread = new Thread(() =>
        {
            var random = new Random(seed);
            try
            {
                while (!storage.HasCrashed)
                {
                    using ReadTransaction tx = db.BeginRead();
                    Tree tree = tx.GetTree("t");
                    int count = (int)tree.Count;
                    // A snapshot holds exactly keys 0 .. count - 1: a stale page (a checkpoint that forgot a version
                    // readers still need) shows as a missing key or a wrong value.
                    for (int probe = 0; probe < 4 && count > 0; probe++)
                    {
                        int i = probe == 0 ? count - 1 : random.Next(count);
                        if (tree.Get(Key(i)) is not { } value || !value.AsSpan().SequenceEqual(Value(i)))
                            throw new InvalidOperationException($"a snapshot of {count} keys lacks key {i} or holds a wrong value");
                    }
                    if (tree.Get(Key(count)) is not null)
                        throw new InvalidOperationException($"a snapshot of {count} keys holds key {count}");
                    Thread.Sleep(random.Next(0, 3));
                }
            }
            catch (Exception e)
            {
                // Reads fail once the power is gone; any other failure is the test's.
                if (!storage.HasCrashed)
                    failures.Enqueue(e);
            }
        })
        { IsBackground = true };
        thread.Start();
        return thread;
    }

    private static void Abandon(PageDatabase db)
    {
        try
        {
            db.Dispose();
        }
        catch (Exception e) when (e is SimulatedCrashException or PageDbException)
        {
            // Its handles died with the power loss.
        }
    }

    /// <summary>Key i, scattered over the key space (a bijection modulo a prime), so commits touch many leaves.</summary>
    private static byte[] Key(int i) => Encoding.ASCII.GetBytes($"k{(ulong)i * 2654435761UL % 10_000_019UL:D8}");

    private static byte[] Value(int i) => Encoding.ASCII.GetBytes($"value {i} " + new string('v', i % 200));
}
