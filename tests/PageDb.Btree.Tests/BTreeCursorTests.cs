using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree.Tests;

[TestFixture]
public class BTreeCursorTests
{
    [Test]
    public void EmptyTreeHasNoPosition()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        using (BTreeCursor cursor = tree.OpenCursor())
        {
            Assert.That(cursor.SeekFirst(), Is.False);
            Assert.That(cursor.SeekLast(), Is.False);
            Assert.That(cursor.Seek([5]), Is.False);
            Assert.That(cursor.Next(), Is.False);
            Assert.That(cursor.Previous(), Is.False);
            Assert.That(cursor.IsValid, Is.False);
            Assert.Throws<InvalidOperationException>(() => _ = cursor.Key.Length);
        }
        Assert.That(pages.PinCount, Is.Zero);
        Assert.That(Count(tree.Range(null, null)), Is.Zero);
    }

    [Test]
    public void SeekFindsTheFirstKeyAtOrAfterAcrossLeaves()
    {
        var (_, tree) = Evens(2000);
        using BTreeCursor cursor = tree.OpenCursor();
        for (int i = 0; i < 3999; i++)
        {
            Assert.That(cursor.Seek(TreeTestKit.Key(i)), Is.True, $"seek {i}");
            Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(i % 2 == 0 ? i : i + 1)), $"seek {i}");
        }
        Assert.That(cursor.Seek([]), Is.True, "the empty key is below every key");
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(0)));
    }

    [Test]
    public void SeekPastTheLastKeyFailsAndPreviousReturnsTheLast()
    {
        var (_, tree) = Evens(2000);
        using BTreeCursor cursor = tree.OpenCursor();
        Assert.That(cursor.Seek(TreeTestKit.Key(4000)), Is.False);
        Assert.That(cursor.IsValid, Is.False);
        Assert.That(cursor.Previous(), Is.True);
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(3998)));
    }

    [Test]
    public void ReversingDirectionVisitsNeighbours()
    {
        var (_, tree) = Evens(2000);
        using BTreeCursor cursor = tree.OpenCursor();
        Assert.That(cursor.Seek(TreeTestKit.Key(1000)), Is.True);
        Assert.That(cursor.Next(), Is.True);
        Assert.That(cursor.Previous(), Is.True);
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(1000)));
        Assert.That(cursor.Previous(), Is.True);
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(998)));

        Assert.That(cursor.SeekLast(), Is.True);
        Assert.That(cursor.Next(), Is.False, "off the end");
        Assert.That(cursor.Previous(), Is.True, "back from the end");
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(3998)));

        Assert.That(cursor.SeekFirst(), Is.True);
        Assert.That(cursor.Previous(), Is.False, "off the start");
        Assert.That(cursor.Next(), Is.True, "back from the start");
        Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(0)));
    }

    [Test]
    public void WalksEveryLeafBothWays()
    {
        var (_, tree) = Evens(5000);
        using BTreeCursor cursor = tree.OpenCursor();
        int n = 0;
        for (bool ok = cursor.SeekFirst(); ok; ok = cursor.Next())
            Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(2 * n++)));
        Assert.That(n, Is.EqualTo(5000));
        for (bool ok = cursor.Previous(); ok; ok = cursor.Previous())
            Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(2 * --n)));
        Assert.That(n, Is.Zero);
    }

    [Test]
    public void A_leaf_changed_after_a_walk_has_its_key_order_checked_again()
    {
        var (pages, tree) = Evens(5000);
        using (BTreeCursor cursor = tree.OpenCursor())
            Assert.That(Scan(cursor), Is.GreaterThan(0), "a first walk checks every leaf and its frame remembers it");
        PageNumber leaf = tree.Root;
        while (true)
        {
            using PageHandle page = pages.Read(leaf);
            if (page.Type == PageType.BtreeLeaf)
                break;
            leaf = NodeSearch.ChildAt(new SlottedPageReader(page.Data, pages.FilePath), 0, leaf, pages.FilePath);
        }
        using (PageHandle page = pages.Write(leaf))
        {
            // Keys 0 and 2 become 2 and 0: each cell's last key byte (compact header, 1 byte, then 8 key bytes).
            var reader = new SlottedPageReader(page.Data, pages.FilePath);
            int first = reader.GetCellBounds(0).Offset + 8, second = reader.GetCellBounds(1).Offset + 8;
            (page.Writable[first], page.Writable[second]) = (page.Writable[second], page.Writable[first]);
        }

        using BTreeCursor again = tree.OpenCursor();
        Assert.That(() => again.SeekFirst(), Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("not in ascending order"));
        Assert.That(() => again.Seek(TreeTestKit.Key(2)), Throws.InstanceOf<CorruptDatabaseException>(), "a seek into the leaf checks it first too");
    }

    [Test]
    public void RangesStartingAndEndingBetweenKeys()
    {
        var (pages, tree) = Evens(1000);
        Assert.That(Keys(tree.Range(TreeTestKit.Key(11), TreeTestKit.Key(21))), Is.EqualTo(new long[] { 12, 14, 16, 18, 20 }));
        Assert.That(Keys(tree.Range(TreeTestKit.Key(12), TreeTestKit.Key(20))), Is.EqualTo(new long[] { 12, 14, 16, 18 }));
        Assert.That(Keys(tree.Range(TreeTestKit.Key(11), TreeTestKit.Key(21), descending: true)), Is.EqualTo(new long[] { 20, 18, 16, 14, 12 }));
        Assert.That(Keys(tree.Range(TreeTestKit.Key(12), TreeTestKit.Key(20), descending: true)), Is.EqualTo(new long[] { 18, 16, 14, 12 }));
        Assert.That(Keys(tree.Range(null, TreeTestKit.Key(5))), Is.EqualTo(new long[] { 0, 2, 4 }));
        Assert.That(Keys(tree.Range(TreeTestKit.Key(1995), null)), Is.EqualTo(new long[] { 1996, 1998 }));
        Assert.That(Keys(tree.Range(TreeTestKit.Key(1995), null, descending: true)), Is.EqualTo(new long[] { 1998, 1996 }));
        Assert.That(Keys(tree.Range(TreeTestKit.Key(5000), null)), Is.Empty);
        Assert.That(Keys(tree.Range(TreeTestKit.Key(20), TreeTestKit.Key(10))), Is.Empty);
        Assert.That(Count(tree.Range(null, null)), Is.EqualTo(1000));
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void OverflowValuesAreAssembledIntoTheReusedBuffer()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        var random = new Random(9);
        byte[] big1 = TreeTestKit.Bytes(random, 50_000);
        byte[] big2 = TreeTestKit.Bytes(random, 30_000);
        tree.Put([1], big1);
        tree.Put([2], [42]);
        tree.Put([3], big2);
        using (BTreeCursor cursor = tree.OpenCursor())
        {
            Assert.That(cursor.SeekFirst(), Is.True);
            Assert.That(cursor.ValueLength, Is.EqualTo(50_000));
            Assert.That(cursor.Value.SequenceEqual(big1), Is.True);
            Assert.That(cursor.Next(), Is.True);
            Assert.That(cursor.Value.ToArray(), Is.EqualTo(new byte[] { 42 }));
            Assert.That(cursor.Next(), Is.True);
            Assert.That(cursor.Value.SequenceEqual(big2), Is.True);
        }
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void StepsAndReadsAllocateNothing()
    {
        var (_, tree) = Evens(20_000);
        using BTreeCursor cursor = tree.OpenCursor();
        Scan(cursor);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = Scan(cursor);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(sum, Is.GreaterThan(0));
        Assert.That(allocated, Is.Zero, "bytes allocated by a full scan and seeks");
    }

    private static long Scan(BTreeCursor cursor)
    {
        long sum = 0;
        for (bool ok = cursor.SeekFirst(); ok; ok = cursor.Next())
            sum += cursor.Key[7] + cursor.Value.Length;
        for (int i = 0; i < 100; i++)
            if (cursor.Seek([0, 0, 0, 0, 0, 0, (byte)i, 0]))
                sum += cursor.Key[6];
        return sum;
    }

    private static (PageDb.Testing.InMemoryPageAccessor, BTree) Evens(int count)
    {
        var (pages, tree) = TreeTestKit.NewTree();
        for (int i = 0; i < count; i++)
            tree.Put(TreeTestKit.Key(2L * i), new byte[30]);
        return (pages, tree);
    }

    private static List<long> Keys(BTreeRange range)
    {
        var keys = new List<long>();
        foreach (BTreeEntry entry in range)
            keys.Add(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(entry.Key));
        return keys;
    }

    private static int Count(BTreeRange range)
    {
        int n = 0;
        foreach (BTreeEntry entry in range)
            n += entry.Key.Length > 0 ? 1 : 0;
        return n;
    }
}
