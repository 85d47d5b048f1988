using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

public class TransactionTests
{
    [Test]
    public void Dispose_without_commit_rolls_back_everything()
    {
        using PageDatabase db = Open(new MemoryStorage());
        Put(db, "t", ("kept", "1"));
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.GetTree("t").Put(Bytes("dropped"), Bytes("2"));
            tx.CreateTree("never");
        }
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTree("t").Get(Bytes("dropped")), Is.Null);
        Assert.That(read.GetTree("t").Count, Is.EqualTo(1));
        Assert.That(read.TreeNames, Is.EqualTo(new[] { "t" }));
    }

    [Test]
    public void A_reader_sees_the_snapshot_it_began_with()
    {
        using PageDatabase db = Open(new MemoryStorage());
        Put(db, "t", ("k", "old"));
        using ReadTransaction before = db.BeginRead();
        Put(db, "t", ("k", "new"), ("k2", "added"));
        using ReadTransaction after = db.BeginRead();
        Assert.That(Text(before.GetTree("t").Get(Bytes("k"))), Is.EqualTo("old"));
        Assert.That(before.GetTree("t").Get(Bytes("k2")), Is.Null);
        Assert.That(before.GetTree("t").Count, Is.EqualTo(1));
        Assert.That(Text(after.GetTree("t").Get(Bytes("k"))), Is.EqualTo("new"));
        Assert.That(after.GetTree("t").Count, Is.EqualTo(2));
    }

    [Test]
    public void Uncommitted_changes_are_invisible_to_readers()
    {
        using PageDatabase db = Open(new MemoryStorage());
        Put(db, "t", ("k", "old"));
        using WriteTransaction writer = db.BeginWrite();
        writer.GetTree("t").Put(Bytes("k"), Bytes("new"));
        using ReadTransaction reader = db.BeginRead();
        Assert.That(Text(reader.GetTree("t").Get(Bytes("k"))), Is.EqualTo("old"));
        Assert.That(Text(writer.GetTree("t").Get(Bytes("k"))), Is.EqualTo("new"));
    }

    [Test]
    public void Using_a_transaction_after_commit_or_dispose_throws()
    {
        using PageDatabase db = Open(new MemoryStorage());
        WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        tx.Commit();
        Assert.Throws<InvalidOperationException>(() => t.Put(Bytes("k"), Bytes("v")));
        Assert.Throws<InvalidOperationException>(() => tx.Commit());
        Assert.Throws<InvalidOperationException>(() => tx.GetTree("t"));
        tx.Dispose();

        ReadTransaction read = db.BeginRead();
        Tree rt = read.GetTree("t");
        read.Dispose();
        Assert.Throws<InvalidOperationException>(() => rt.Get(Bytes("k")));
        Assert.Throws<InvalidOperationException>(() => _ = read.TreeNames);
    }

    [Test]
    public void Writing_in_a_read_transaction_throws()
    {
        using PageDatabase db = Open(new MemoryStorage());
        Put(db, "t", ("k", "v"));
        using ReadTransaction tx = db.BeginRead();
        Tree t = tx.GetTree("t");
        Assert.Throws<InvalidOperationException>(() => t.Put(Bytes("k"), Bytes("x")));
        Assert.Throws<InvalidOperationException>(() => t.Delete(Bytes("k")));
    }

    [Test]
    public void A_second_writer_waits_then_times_out()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), writeLockTimeout: TimeSpan.FromMilliseconds(200)));
        using WriteTransaction first = db.BeginWrite();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Exception? failure = null;
        var other = new Thread(() => failure = Record(() => db.BeginWrite().Dispose()));
        other.Start();
        other.Join();
        Assert.That(failure, Is.InstanceOf<TimeoutException>());
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(150)));
    }

    [Test]
    public void A_second_writer_proceeds_once_the_first_ends()
    {
        using PageDatabase db = Open(new MemoryStorage());
        WriteTransaction first = db.BeginWrite();
        first.CreateTree("t");
        var second = Task.Run(() =>
        {
            using WriteTransaction tx = db.BeginWrite();
            tx.GetTree("t").Put(Bytes("k"), Bytes("v"));
            tx.Commit();
        });
        Thread.Sleep(50);
        Assert.That(second.IsCompleted, Is.False, "the second writer must wait for the first");
        first.Commit();
        first.Dispose();
        Assert.That(second.Wait(TimeSpan.FromSeconds(5)), Is.True);
        using ReadTransaction read = db.BeginRead();
        Assert.That(read.GetTree("t").Count, Is.EqualTo(1));
    }

    [Test]
    public void Readers_do_not_block_the_writer()
    {
        using PageDatabase db = Open(new MemoryStorage());
        Put(db, "t", ("k", "v"));
        var readers = Enumerable.Range(0, 4).Select(_ => db.BeginRead()).ToList();
        Put(db, "t", ("k2", "v2"));
        foreach (ReadTransaction r in readers)
        {
            Assert.That(r.GetTree("t").Count, Is.EqualTo(1));
            r.Dispose();
        }
    }

    [Test]
    public void Commit_with_no_changes_succeeds()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        tx.Commit();
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
