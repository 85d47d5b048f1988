using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

public class TreeTests
{
    [Test]
    public void Catalog_operations_follow_the_contract()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        tx.CreateTree("b");
        tx.CreateTree("a");
        Assert.Throws<PageDbException>(() => tx.CreateTree("a"));
        Assert.Throws<PageDbException>(() => tx.GetTree("missing"));
        Assert.Throws<PageDbException>(() => tx.DropTree("missing"));
        Assert.That(tx.TryGetTree("missing", out _), Is.False);
        Assert.That(tx.TryGetTree("a", out Tree? a), Is.True);
        Assert.That(a!.Name, Is.EqualTo("a"));
        Assert.That(tx.GetOrCreateTree("c").Count, Is.EqualTo(0));
        Assert.That(tx.TreeNames, Is.EqualTo(new[] { "a", "b", "c" }));
        tx.DropTree("b");
        Assert.That(tx.TreeNames, Is.EqualTo(new[] { "a", "c" }));
        Assert.Throws<ArgumentException>(() => tx.CreateTree(""));
        Assert.Throws<ArgumentException>(() => tx.CreateTree(new string('n', 600)));
    }

    [Test]
    public void Put_get_delete_and_count()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        t.Put(Bytes("k1"), Bytes("v1"));
        t.Put(Bytes("k2"), Bytes("v2"));
        t.Put(Bytes("k1"), Bytes("v1b"));
        Assert.That(t.Count, Is.EqualTo(2));
        Assert.That(Text(t.Get(Bytes("k1"))), Is.EqualTo("v1b"));
        Assert.That(t.TryGet(Bytes("k2"), out byte[] v2), Is.True);
        Assert.That(Text(v2), Is.EqualTo("v2"));
        Assert.That(t.TryGet(Bytes("nope"), out byte[] absent), Is.False);
        Assert.That(absent, Is.Empty);
        Assert.That(t.Delete(Bytes("k1")), Is.True);
        Assert.That(t.Delete(Bytes("k1")), Is.False);
        Assert.That(t.Get(Bytes("k1")), Is.Null);
        Assert.That(t.Count, Is.EqualTo(1));
        t.Put(Bytes("empty"), []);
        Assert.That(t.Get(Bytes("empty")), Is.Empty);
    }

    [Test]
    public void Keys_compare_as_unsigned_bytes()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        byte[][] keys = [[0xFF], [0x00], [0x80], [0x7F], [0x00, 0x00], [0x01]];
        foreach (byte[] key in keys)
            t.Put(key, key);
        var order = t.Range(null, null).Select(e => Convert.ToHexString(e.Key)).ToList();
        Assert.That(order, Is.EqualTo(new[] { "00", "0000", "01", "7F", "80", "FF" }));
    }

    [Test]
    public void Range_bounds_are_inclusive_from_and_exclusive_to()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        for (int i = 0; i < 100; i += 2)
            t.Put(Bytes($"k{i:D3}"), Bytes(i.ToString()));
        List<string> Keys(string? from, string? to) =>
            t.Range(from is null ? null : Bytes(from), to is null ? null : Bytes(to)).Select(e => Text(e.Key)).ToList();
        Assert.That(Keys("k010", "k016"), Is.EqualTo(new[] { "k010", "k012", "k014" }));
        Assert.That(Keys("k011", "k015"), Is.EqualTo(new[] { "k012", "k014" }));
        Assert.That(Keys(null, "k004"), Is.EqualTo(new[] { "k000", "k002" }));
        Assert.That(Keys("k096", null), Is.EqualTo(new[] { "k096", "k098" }));
        Assert.That(Keys("k050", "k050"), Is.Empty);
        Assert.That(Keys(null, null), Has.Count.EqualTo(50));
    }

    [Test]
    public void Cursor_moves_both_ways()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        using (Cursor empty = t.OpenCursor())
        {
            Assert.That(empty.SeekFirst(), Is.False);
            Assert.That(empty.SeekLast(), Is.False);
            Assert.That(empty.Seek(Bytes("a")), Is.False);
        }
        foreach (string k in new[] { "b", "d", "f" })
            t.Put(Bytes(k), Bytes(k.ToUpperInvariant()));
        using Cursor c = t.OpenCursor();
        Assert.That(c.Seek(Bytes("c")), Is.True);
        Assert.That(Text(c.Key), Is.EqualTo("d"));
        Assert.That(Text(c.Value), Is.EqualTo("D"));
        Assert.That(c.Previous(), Is.True);
        Assert.That(Text(c.Key), Is.EqualTo("b"));
        Assert.That(c.Previous(), Is.False);
        Assert.That(c.SeekLast(), Is.True);
        Assert.That(Text(c.Key), Is.EqualTo("f"));
        Assert.That(c.Next(), Is.False);
        Assert.That(c.Seek(Bytes("g")), Is.False);
        Assert.That(c.SeekFirst(), Is.True);
        Assert.That(Text(c.Key), Is.EqualTo("b"));
    }

    [Test]
    public void Size_limits_are_enforced_before_anything_changes()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        t.Put(new byte[1024], Bytes("max key"));
        Assert.Throws<ArgumentException>(() => t.Put(new byte[1025], Bytes("too long")));
        Assert.Throws<ArgumentException>(() => t.Put([], Bytes("empty key")));
        Assert.Throws<ArgumentException>(() => t.Put(Bytes("big"), new byte[(64 << 20) + 1]));
        Assert.That(t.Count, Is.EqualTo(1));
    }

    [Test]
    public void Large_values_round_trip_through_overflow_pages_and_reopen()
    {
        var storage = new MemoryStorage();
        var rng = new Random(7);
        byte[] big = new byte[3_000_000];
        rng.NextBytes(big);
        using (PageDatabase db = Open(storage))
        {
            using WriteTransaction tx = db.BeginWrite();
            tx.CreateTree("blobs").Put(Bytes("big"), big);
            tx.Commit();
        }
        using (PageDatabase db = Open(storage))
        {
            using (ReadTransaction tx = db.BeginRead())
                Assert.That(tx.GetTree("blobs").Get(Bytes("big")), Is.EqualTo(big));
            Assert.That(db.CheckIntegrity().IsOk, Is.True);
        }
    }

    [Test]
    public void Dropping_a_tree_returns_its_pages_to_the_free_list_and_they_are_reused()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.CreateTree("t");
            for (int i = 0; i < 5000; i++)
                t.Put(Bytes($"key{i:D6}"), new byte[100]);
            tx.Commit();
        }
        long pagesBefore = db.GetStats().PageCount;
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.DropTree("t");
            tx.Commit();
        }
        DatabaseStats dropped = db.GetStats();
        Assert.That(dropped.FreePages, Is.GreaterThan(pagesBefore / 2));
        Assert.That(db.CheckIntegrity().IsOk, Is.True, db.CheckIntegrity().ToString());
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.CreateTree("again");
            for (int i = 0; i < 5000; i++)
                t.Put(Bytes($"key{i:D6}"), new byte[100]);
            tx.Commit();
        }
        Assert.That(db.GetStats().PageCount, Is.LessThanOrEqualTo(pagesBefore + 2), "freed pages are reused before the file grows");
    }

    [Test]
    public void A_change_invalidates_open_cursors_until_they_seek_again()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Tree t = tx.CreateTree("t");
        for (int i = 0; i < 1000; i++)
            t.Put(Bytes($"k{i:D4}"), new byte[50]);
        using Cursor cursor = t.OpenCursor();
        Assert.That(cursor.SeekFirst(), Is.True);
        t.Put(Bytes("k0000a"), Bytes("x"));
        Assert.Throws<InvalidOperationException>(() => cursor.Next());
        Assert.Throws<InvalidOperationException>(() => _ = cursor.Key.Length);
        Assert.That(cursor.Seek(Bytes("k0000")), Is.True);
        Assert.That(cursor.Next(), Is.True);
        Assert.That(Text(cursor.Key), Is.EqualTo("k0000a"));
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var entry in t.Range(null, null))
                t.Delete(entry.Key);
        });
    }

    [Test]
    public void Cursors_left_open_are_released_when_the_transaction_ends()
    {
        using PageDatabase db = Open(new MemoryStorage());
        Put(db, "t", ("a", "1"), ("b", "2"));
        Cursor leftOpen;
        using (WriteTransaction tx = db.BeginWrite())
        {
            Tree t = tx.GetTree("t");
            leftOpen = t.OpenCursor();
            leftOpen.SeekFirst();
            t.Put(Bytes("c"), Bytes("3"));
            tx.Commit();
        }
        Assert.Throws<ObjectDisposedException>(() => leftOpen.SeekFirst());
        using (ReadTransaction tx = db.BeginRead())
            Assert.That(tx.GetTree("t").Count, Is.EqualTo(3));
        Assert.That(db.CheckIntegrity().IsOk, Is.True);
    }
}
