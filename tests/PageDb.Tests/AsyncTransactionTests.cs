using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// The async surface: <see cref="PageDatabase.BeginWriteAsync"/> waits for the writer slot without blocking a thread
/// and can be cancelled while it waits; a write transaction may go on on another thread after an await;
/// <see cref="WriteTransaction.CommitAsync"/> and the DisposeAsync methods.
/// </summary>
public class AsyncTransactionTests
{
    [Test]
    public async Task Cancelling_while_waiting_for_the_writer_slot_leaves_no_trace()
    {
        await using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), writeLockTimeout: TimeSpan.FromSeconds(30)));
        Put(db, "t", ("a", "1"));
        using var cancel = new CancellationTokenSource();
        Task<WriteTransaction> waiting;
        using (WriteTransaction holder = db.BeginWrite())
        {
            holder.GetTree("t").Put(Bytes("held"), Bytes("x"));
            waiting = db.BeginWriteAsync(cancel.Token);
            Assert.That(waiting.IsCompleted, Is.False, "the slot is held: the caller waits");
            await cancel.CancelAsync();
            Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        }

        // The cancelled wait took nothing: the slot is free at once, and the database is as the last commit left it.
        using (var noWait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        await using (WriteTransaction next = await db.BeginWriteAsync(noWait.Token))
        {
            Assert.That(next.GetTree("t").Count, Is.EqualTo(1));
            Assert.That(next.GetTree("t").Get(Bytes("held")), Is.Null, "the holder rolled back");
        }
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public async Task A_write_transaction_begun_on_one_thread_is_committed_on_another()
    {
        var storage = new MemoryStorage();
        await using (PageDatabase db = PageDatabase.Open(DbPath, Options(storage)))
        {
            WriteTransaction? transaction = null;
            int begunOn = 0;
            var beginner = new Thread(() =>
            {
                transaction = db.BeginWriteAsync().GetAwaiter().GetResult();
                begunOn = Environment.CurrentManagedThreadId;
                transaction.GetOrCreateTree("t").Put(Bytes("a"), Bytes("1"));
            });
            beginner.Start();
            beginner.Join();

            await Task.Yield();
            int continuedOn = await Task.Run(async () =>
            {
                transaction!.GetTree("t").Put(Bytes("b"), Bytes("2"));
                await transaction.CommitAsync();
                return Environment.CurrentManagedThreadId;
            });
            Assert.That(continuedOn, Is.Not.EqualTo(begunOn), "the commit ran on another thread than the begin");
            await transaction!.DisposeAsync();
        }

        await using PageDatabase reopened = PageDatabase.Open(DbPath, Options(storage));
        await using ReadTransaction tx = reopened.BeginRead();
        Assert.That(Text(tx.GetTree("t").Get(Bytes("a"))), Is.EqualTo("1"));
        Assert.That(Text(tx.GetTree("t").Get(Bytes("b"))), Is.EqualTo("2"));
    }

    [Test]
    public async Task A_cancelled_commit_leaves_the_transaction_open_and_changes_nothing()
    {
        await using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage()));
        await using (WriteTransaction tx = await db.BeginWriteAsync())
        {
            tx.GetOrCreateTree("t").Put(Bytes("a"), Bytes("1"));
            Assert.That(async () => await tx.CommitAsync(new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
            tx.GetTree("t").Put(Bytes("b"), Bytes("2")); // still open
        }
        await using ReadTransaction read = db.BeginRead();
        Assert.That(read.TreeNames, Is.Empty, "disposing without a commit rolled everything back");
    }
}
