using System.Buffers.Binary;
using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// The lock-free registry of open readers (<see cref="ReaderRegistry"/>): more readers than one block of slots, left
/// in any order; readers entering and leaving on many threads while a writer commits; a full checkpoint that waits
/// for an old reader and is woken when it leaves. Through real read transactions on a real engine.
/// </summary>
public class ReaderRegistryTests
{
    [Test]
    public void Readers_of_many_marks_beyond_one_block_leave_in_any_order_and_the_oldest_follows()
    {
        int seed = TestSeed.Next();
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        var readers = new List<ReadTransaction>();
        for (int i = 0; i < 150; i++)
        {
            if (i % 10 == 0)
                Commit(db, i);
            readers.Add(db.BeginRead());
        }
        ReaderRegistry registry = readers[0].Engine.Readers;
        WriteAheadLog wal = readers[0].Engine.Wal;
        var rng = new Random(seed);
        while (readers.Count > 0)
        {
            Assert.That(registry.Count, Is.EqualTo(readers.Count), TestSeed.Describe(seed));
            Assert.That(registry.OldestOr(wal.LastCommit), Is.EqualTo(readers.Min(MarkOf)), TestSeed.Describe(seed));
            int leaving = rng.Next(readers.Count);
            readers[leaving].Dispose();
            readers.RemoveAt(leaving);
        }
        Assert.That(registry.Count, Is.Zero);
        Assert.That(registry.OldestOr(wal.LastCommit), Is.EqualTo(wal.LastCommit));
        Assert.That(db.GetStats().OldestReaderPinnedWalBytes, Is.Zero, "only GetStats' own reader, of the last commit, is open");
    }

    [Test]
    public void A_reader_is_counted_from_the_moment_it_began_while_others_come_and_go_and_a_writer_commits()
    {
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        Commit(db, 0);
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Task[] readers = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 20_000 && failures.IsEmpty; i++)
            {
                using ReadTransaction tx = db.BeginRead();
                WalMark mine = MarkOf(tx);
                WalMark oldest = tx.Engine.Readers.OldestOr(tx.Engine.Wal.LastCommit);
                if (oldest > mine)
                    failures.Enqueue($"a checkpoint would copy past {oldest} while a reader of {mine} is open");
            }
        }))];
        Task writer = Task.Run(() =>
        {
            for (int i = 1; !stop.IsCancellationRequested; i++)
                Commit(db, i);
        });
        Task.WaitAll(readers);
        stop.Cancel();
        writer.Wait();
        Assert.That(failures, Is.Empty);
        using ReadTransaction last = db.BeginRead();
        Assert.That(last.Engine.Readers.Count, Is.EqualTo(1));
    }

    [Test]
    public void A_full_checkpoint_waits_for_a_reader_of_an_older_mark_and_runs_when_it_leaves()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), Durability.Normal, TimeSpan.FromMinutes(1)));
        Commit(db, 0);
        ReadTransaction old = db.BeginRead();
        Commit(db, 1);
        Task checkpoint = Task.Run(() => db.Checkpoint(CheckpointMode.Full));
        Thread.Sleep(100); // time for the checkpoint to reach its wait; it must not pass it while the reader is open
        Assert.That(checkpoint.IsCompleted, Is.False, "the checkpoint would copy past the open reader's snapshot");
        old.Dispose();
        Assert.That(checkpoint.Wait(TimeSpan.FromSeconds(30)), Is.True, "leaving must wake the waiting checkpoint");
    }

    private static WalMark MarkOf(ReadTransaction transaction) => ((SnapshotPages)transaction.Pages).Mark;

    private static void Commit(PageDatabase db, int value)
    {
        using WriteTransaction tx = db.BeginWrite();
        byte[] key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, value);
        tx.GetOrCreateTree("t").Put(key, new byte[100]);
        tx.Commit();
    }
}
