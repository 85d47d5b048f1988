using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

/// <summary>
/// BTree against a SortedDictionary model: long random mixes of put, replace, delete, get, seek and range scans in
/// both directions, with the checker every few hundred operations and no pin left after any operation.
/// </summary>
[TestFixture]
public class BTreeModelTests
{
    [TestCase(4096, 10_000)]
    [TestCase(8192, 4_000)]
    [TestCase(65536, 1_500)]
    [TestCase(4096, 10_000, 1u, TestName = "RandomOperationsMatchTheModel(classic leaf cells of format version 1)")]
    public void RandomOperationsMatchTheModel(int pageSize, int operations, uint formatVersion = FileHeaderPage.CurrentFormatVersion)
    {
        if (TestSeed.LongRun)
            operations *= 20;
        var (why, random, pages, tree, model) = StartRun(pageSize, formatVersion);
        var keys = new List<byte[]>();

        for (int op = 0; op < operations; op++)
        {
            string at = $"{why}, op {op}";
            int dice = random.Next(100);
            if (dice < 45)
                Put(random, tree, model, keys, at);
            else if (dice < 70)
                Delete(random, tree, model, keys, at);
            else if (dice < 85)
                Get(random, tree, model, keys, at);
            else if (dice < 95)
                Seek(random, tree, model, keys, at);
            else
                Scan(random, tree, model, keys, at);
            Assert.That(pages.PinCount, Is.Zero, at + ": pins left");
            Assert.That(tree.Count, Is.EqualTo(model.Count), at + ": count");
            if (op % 300 == 299)
                TreeTestKit.AssertValid(pages, tree, at);
        }
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree, why + " at the end");
        TreeTestKit.AssertNoPageLost(pages, check, why);
        ScanAll(tree, model, why);

        foreach (byte[] key in model.Keys.ToList())
            Assert.That(tree.Delete(key), Is.True, why);
        TreeTestKit.AssertValid(pages, tree, why + " after deleting everything");
        Assert.That(pages.LivePageCount, Is.EqualTo(1), why + ": every page but the root is free");
        Assert.That(tree.Count, Is.Zero, why);
    }

    /// <summary>
    /// A put's descent compares each page's last key first (the append path of ascending keys): keys shaped like a
    /// table's compact integers (a head byte, then 0-8 big-endian bytes) mostly past the largest so far, mixed with
    /// re-puts and TryInserts of the largest key, keys below it and deletes, against the model.
    /// </summary>
    [TestCase(FileHeaderPage.CurrentFormatVersion)]
    [TestCase(1u, TestName = "AscendingPutsMatchTheModel(classic leaf cells of format version 1)")]
    public void AscendingPutsMatchTheModel(uint formatVersion)
    {
        int operations = TestSeed.LongRun ? 400_000 : 20_000;
        var (why, random, pages, tree, model) = StartRun(4096, formatVersion);
        long next = 0;
        for (int op = 0; op < operations; op++)
        {
            string at = $"{why}, op {op}";
            int dice = random.Next(100);
            long id = dice < 80 ? next += random.Next(1, 300) // past the largest key
                : dice < 88 ? next // the largest key again
                : (long)(random.NextDouble() * (next + 1)); // at or below it
            byte[] key = CompactIntegerKey(id);
            byte[] value = TreeTestKit.Bytes(random, random.Next(0, 200));
            if (dice >= 95)
            {
                Assert.That(tree.Delete(key), Is.EqualTo(model.Remove(key)), at + ": Delete says found");
            }
            else if (random.Next(2) == 0)
            {
                bool inserted = tree.TryInsert(key, value);
                Assert.That(inserted, Is.EqualTo(model.TryAdd(key, value)), at + ": TryInsert says new");
            }
            else
            {
                Assert.That(tree.Put(key, value), Is.EqualTo(!model.ContainsKey(key)), at + ": Put says new");
                model[key] = value;
            }
            Assert.That(tree.Count, Is.EqualTo(model.Count), at + ": count");
            if (op % 1000 == 999)
                TreeTestKit.AssertValid(pages, tree, at);
        }
        TreeTestKit.AssertValid(pages, tree, why + " at the end");
        foreach (var (key, value) in model)
            Assert.That(tree.Get(key), Is.EqualTo(value), why + ": Get " + Convert.ToHexString(key));
        ScanAll(tree, model, why);
    }

    /// <summary>A run's seed (described, for messages), its random source, an empty tree and an empty model.</summary>
    private static (string Why, Random Random, InMemoryPageAccessor Pages, BTree Tree, SortedDictionary<byte[], byte[]> Model) StartRun(
        int pageSize, uint formatVersion)
    {
        int seed = TestSeed.Next();
        var (pages, tree) = TreeTestKit.NewTree(pageSize, formatVersion);
        return (TestSeed.Describe(seed), new Random(seed), pages, tree, new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance));
    }

    /// <summary>A non-negative <paramref name="id"/> as a table's compact integer key: 0x0A + n, then its n significant bytes.</summary>
    private static byte[] CompactIntegerKey(long id)
    {
        int n = 0;
        while (n < 8 && (ulong)id >> (8 * n) != 0)
            n++;
        var key = new byte[1 + n];
        key[0] = (byte)(0x0A + n);
        for (int i = 0; i < n; i++)
            key[n - i] = (byte)(id >> (8 * i));
        return key;
    }

    private static byte[] NewKey(Random random, List<byte[]> keys)
    {
        if (keys.Count > 0 && random.Next(4) == 0)
        {
            // a neighbour of an existing key: shares a long prefix, so separators get truncated hard
            byte[] near = (byte[])keys[random.Next(keys.Count)].Clone();
            near[^1] ^= (byte)(1 + random.Next(255));
            return near;
        }
        int dice = random.Next(100);
        int length = dice < 70 ? random.Next(1, 17) : dice < 95 ? random.Next(17, 101) : random.Next(101, 1025);
        return TreeTestKit.Bytes(random, length);
    }

    private static byte[] NewValue(Random random)
    {
        int dice = random.Next(1000);
        int length = dice < 850 ? random.Next(0, 100)
            : dice < 960 ? random.Next(100, 3000)
            : dice < 995 ? random.Next(3000, 20_000)
            : random.Next(20_000, 200_001);
        return TreeTestKit.Bytes(random, length);
    }

    private static byte[] PickKey(Random random, List<byte[]> keys) =>
        keys.Count > 0 && random.Next(3) > 0 ? keys[random.Next(keys.Count)] : NewKey(random, keys);

    private static void Put(Random random, BTree tree, SortedDictionary<byte[], byte[]> model, List<byte[]> keys, string at)
    {
        byte[] key = PickKey(random, keys);
        byte[] value = NewValue(random);
        bool inserted = tree.Put(key, value);
        Assert.That(inserted, Is.EqualTo(!model.ContainsKey(key)), at + ": Put says new");
        if (inserted)
            keys.Add(key);
        model[key] = value;
    }

    private static void Delete(Random random, BTree tree, SortedDictionary<byte[], byte[]> model, List<byte[]> keys, string at)
    {
        byte[] key = PickKey(random, keys);
        Assert.That(tree.Delete(key), Is.EqualTo(model.Remove(key)), at + ": Delete says found");
    }

    private static void Get(Random random, BTree tree, SortedDictionary<byte[], byte[]> model, List<byte[]> keys, string at)
    {
        byte[] key = PickKey(random, keys);
        byte[]? expected = model.GetValueOrDefault(key);
        byte[]? actual = tree.Get(key);
        Assert.That(actual, Is.EqualTo(expected), at + ": Get");
    }

    private static void Seek(Random random, BTree tree, SortedDictionary<byte[], byte[]> model, List<byte[]> keys, string at)
    {
        byte[] key = PickKey(random, keys);
        using BTreeCursor cursor = tree.OpenCursor();
        bool found = cursor.Seek(key);
        byte[]? expected = model.Keys.FirstOrDefault(k => ByteArrayComparer.Instance.Compare(k, key) >= 0);
        Assert.That(found, Is.EqualTo(expected is not null), at + ": Seek found");
        if (expected is null)
            return;
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(expected), at + ": Seek key");
        Assert.That(cursor.Value.ToArray(), Is.EqualTo(model[expected]), at + ": Seek value");
    }

    private static void Scan(Random random, BTree tree, SortedDictionary<byte[], byte[]> model, List<byte[]> keys, string at)
    {
        byte[]? from = random.Next(4) == 0 ? null : PickKey(random, keys);
        byte[]? to = random.Next(4) == 0 ? null : PickKey(random, keys);
        bool descending = random.Next(2) == 0;
        var expected = model.Where(e =>
                (from is null || ByteArrayComparer.Instance.Compare(e.Key, from) >= 0) &&
                (to is null || ByteArrayComparer.Instance.Compare(e.Key, to) < 0))
            .Select(e => e.Key).ToList();
        if (descending)
            expected.Reverse();
        var actual = new List<byte[]>();
        foreach (BTreeEntry entry in tree.Range(from, to, descending))
        {
            actual.Add(entry.Key.ToArray());
            Assert.That(entry.Value.ToArray(), Is.EqualTo(model[actual[^1]]), at + ": range value");
        }
        Assert.That(actual, Is.EqualTo(expected), at + $": range {(descending ? "descending" : "ascending")}");
    }

    private static void ScanAll(BTree tree, SortedDictionary<byte[], byte[]> model, string why)
    {
        using BTreeCursor cursor = tree.OpenCursor();
        var forward = new List<byte[]>();
        for (bool ok = cursor.SeekFirst(); ok; ok = cursor.Next())
            forward.Add(cursor.Key.ToArray());
        Assert.That(forward, Is.EqualTo(model.Keys.ToList()), why + ": full forward scan");
        var backward = new List<byte[]>();
        for (bool ok = cursor.SeekLast(); ok; ok = cursor.Previous())
            backward.Add(cursor.Key.ToArray());
        backward.Reverse();
        Assert.That(backward, Is.EqualTo(model.Keys.ToList()), why + ": full backward scan");
    }
}
