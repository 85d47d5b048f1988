using System.Buffers.Binary;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Readers on snapshots while a writer commits: the classic bank-transfer invariant. Every transfer moves money
/// between two accounts in one transaction, so every snapshot must see the same total.
/// </summary>
public class ConcurrencyTests
{
    private const int Accounts = 200;
    private const long InitialBalance = 1000;

    [Test]
    public void Eight_readers_always_see_a_consistent_total_while_a_writer_commits_and_checkpoints()
    {
        int seed = TestSeed.Next();
        TimeSpan duration = TimeSpan.FromSeconds(20);
        var options = new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Storage = new MemoryStorage(), Durability = Durability.Normal, CheckpointThresholdBytes = 256 << 10, CacheSizeBytes = 2 << 20 };
        using PageDatabase db = PageDatabase.Open(DbPath, options);
        CreateAccounts(db);

        using var stop = new CancellationTokenSource(duration);
        long snapshotsChecked = 0, commits = 0, checkpoints = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using ReadTransaction tx = db.BeginRead();
                long total = SumBalances(tx.GetTree("accounts"));
                if (total != Accounts * InitialBalance)
                    failures.Enqueue($"snapshot total {total}");
                Interlocked.Increment(ref snapshotsChecked);
            }
        })).ToArray();
        var checkpointer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                db.Checkpoint(CheckpointMode.Passive);
                Interlocked.Increment(ref checkpoints);
                Thread.Sleep(5);
            }
        });
        var rng = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            Transfer(db, rng);
            commits++;
        }
        Task.WaitAll([.. readers, checkpointer]);
        TestContext.Out.WriteLine($"{commits} commits, {snapshotsChecked} snapshots checked, {checkpoints} checkpoints");
        Assert.That(failures, Is.Empty, TestSeed.Describe(seed));
        Assert.That(commits, Is.GreaterThan(100));
        Assert.That(snapshotsChecked, Is.GreaterThan(100));
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    private static void CreateAccounts(PageDatabase db)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree accounts = tx.CreateTree("accounts");
        for (int i = 0; i < Accounts; i++)
            accounts.Put(Key(i), Balance(InitialBalance));
        tx.Commit();
    }

    private static void Transfer(PageDatabase db, Random rng)
    {
        using WriteTransaction tx = db.BeginWrite();
        Tree accounts = tx.GetTree("accounts");
        int from = rng.Next(Accounts), to = rng.Next(Accounts);
        long amount = rng.Next(1, 50);
        accounts.Put(Key(from), Balance(ReadBalance(accounts, from) - amount));
        accounts.Put(Key(to), Balance(ReadBalance(accounts, to) + amount));
        tx.Commit();
    }

    private static long SumBalances(Tree accounts)
    {
        long total = 0;
        using Cursor cursor = accounts.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
            total += BinaryPrimitives.ReadInt64LittleEndian(cursor.Value);
        return total;
    }

    private static long ReadBalance(Tree accounts, int account) => BinaryPrimitives.ReadInt64LittleEndian(accounts.Get(Key(account)));

    private static byte[] Key(int account) => Bytes($"acct{account:D5}");

    private static byte[] Balance(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }
}
