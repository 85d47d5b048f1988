using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

[TestFixture]
public class BTreeTests
{
    private static int ManyKeys => TestSeed.LongRun ? 3_000_000 : 1_000_000;

    [TestCase("sequential")]
    [TestCase("reverse")]
    [TestCase("random")]
    public void ManySmallKeysInEveryOrderThenDeleteAll(string order)
    {
        int seed = TestSeed.Next();
        string why = TestSeed.Describe(seed);
        int n = ManyKeys;
        long[] keys = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        if (order == "reverse")
            Array.Reverse(keys);
        else if (order == "random")
            new Random(seed).Shuffle(keys);
        var (pages, tree) = TreeTestKit.NewTree();
        var value = new byte[8];

        foreach (long k in keys)
            tree.Put(TreeTestKit.Key(k), value);
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree, why);
        TestContext.Out.WriteLine($"{order}: {check}");
        Assert.That(check.EntryCount, Is.EqualTo(n), why);
        Assert.That(check.LeafFill, Is.GreaterThan(order == "random" ? 0.65 : 0.9), why + " leaf fill");
        TreeTestKit.AssertNoPageLost(pages, check, why);

        new Random(seed + 1).Shuffle(keys);
        foreach (long k in keys)
            Assert.That(tree.Delete(TreeTestKit.Key(k)), Is.True, why);
        TreeTestKit.AssertValid(pages, tree, why);
        Assert.That(pages.LivePageCount, Is.EqualTo(1), why + ": all but the root freed");
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void RootKeepsItsPageNumberThroughGrowthAndShrinking()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        PageNumber root = tree.Root;
        for (int i = 0; i < 20_000; i++)
            tree.Put(LongKey(i), new byte[20]);
        BTreeVerification grown = TreeTestKit.AssertValid(pages, tree);
        Assert.That(grown.Depth, Is.GreaterThanOrEqualTo(3));
        for (int i = 0; i < 20_000; i++)
            Assert.That(tree.Delete(LongKey(i)), Is.True);
        BTreeVerification shrunk = TreeTestKit.AssertValid(pages, tree);
        Assert.That(shrunk.Depth, Is.EqualTo(1));
        Assert.That(tree.Root, Is.EqualTo(root));
        Assert.That(pages.LivePages, Is.EquivalentTo(new[] { root.Value }));
    }

    /// <summary>A key behind a 100-byte shared prefix, so separators stay long and the tree grows deep.</summary>
    private static byte[] LongKey(int i) => [.. new byte[100], .. TreeTestKit.Key(i)];

    [Test]
    public void CountIsKeptInTheRoot()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        for (int i = 0; i < 5000; i++)
            tree.Put(TreeTestKit.Key(i % 3000), [1]);
        Assert.That(tree.Count, Is.EqualTo(3000));
        Assert.That(new BTree(pages, tree.Root).Count, Is.EqualTo(3000), "a new tree object over the same root");
        tree.Delete(TreeTestKit.Key(7));
        tree.Delete(TreeTestKit.Key(7));
        Assert.That(tree.Count, Is.EqualTo(2999));
    }

    [Test]
    public void HasKeyWithPrefixAgreesWithTheKeysAcrossLeafBoundaries()
    {
        int seed = TestSeed.Next();
        string why = TestSeed.Describe(seed);
        var random = new Random(seed);
        var (pages, tree, keys) = TreeOfEvenNumbers(random, why);

        for (int i = 0; i < 20_000; i++)
        {
            string prefix = random.Next(400_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            prefix = prefix[..random.Next(1, prefix.Length + 1)];
            bool expected = keys.GetViewBetween(prefix, prefix + '\x7f').Count > 0;
            Assert.That(tree.HasKeyWithPrefix(System.Text.Encoding.ASCII.GetBytes(prefix)), Is.EqualTo(expected), $"{why}, prefix {prefix}");
        }
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void CopyFirstKeyAtOrAfterFindsTheNextKeyAcrossLeafBoundaries()
    {
        int seed = TestSeed.Next();
        string why = TestSeed.Describe(seed);
        var random = new Random(seed);
        var (pages, tree, keys) = TreeOfEvenNumbers(random, why);

        string[] sorted = [.. keys];
        byte[] found = new byte[BTreeLimits.MaxKeyLength];
        for (int i = 0; i < 20_000; i++)
        {
            // A probe, or a key of the tree with 0x00 appended (which finds the key after it).
            string probe = random.Next(3) == 0 ? sorted[random.Next(sorted.Length)] + '\0' : random.Next(400_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            string? expected = keys.GetViewBetween(probe, "\x7f").FirstOrDefault();
            int length = tree.CopyFirstKeyAtOrAfter(System.Text.Encoding.ASCII.GetBytes(probe), found);
            Assert.That(length < 0 ? null : System.Text.Encoding.ASCII.GetString(found, 0, length), Is.EqualTo(expected), $"{why}, probe {probe}");
        }
        Assert.That(pages.PinCount, Is.Zero);
    }

    /// <summary>A tree of at least two levels whose keys are random even numbers in decimal, with the same keys as strings.</summary>
    private static (InMemoryPageAccessor Pages, BTree Tree, SortedSet<string> Keys) TreeOfEvenNumbers(Random random, string why)
    {
        var (pages, tree) = TreeTestKit.NewTree();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 20_000; i++)
        {
            string key = (random.Next(200_000) * 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (keys.Add(key))
                tree.Put(System.Text.Encoding.ASCII.GetBytes(key), new byte[30]);
        }
        Assert.That(TreeTestKit.AssertValid(pages, tree, why).Depth, Is.GreaterThanOrEqualTo(2), why);
        return (pages, tree, keys);
    }

    [Test]
    public void PutReportsNewKeysAndReplaces()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        Assert.That(tree.Put([1, 2], [9]), Is.True);
        Assert.That(tree.Put([1, 2], [8, 8]), Is.False);
        Assert.That(tree.Get([1, 2]), Is.EqualTo(new byte[] { 8, 8 }));
        Assert.That(tree.TryGet([1, 3], out byte[] missing), Is.False);
        Assert.That(missing, Is.Empty);
        Assert.That(tree.Get([1, 3]), Is.Null);
        Assert.That(tree.ContainsKey([1, 2]), Is.True);
        TreeTestKit.AssertValid(pages, tree);
    }

    [Test]
    public void TryInsertStoresOnlyNewKeysAndLeavesAPresentOneUntouched()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        Assert.That(tree.TryInsert([1, 2], [9]), Is.True);
        int live = pages.LivePageCount;
        Assert.That(tree.TryInsert([1, 2], new byte[10_000]), Is.False, "a present key, even with a value needing overflow pages");
        Assert.That(tree.Get([1, 2]), Is.EqualTo(new byte[] { 9 }));
        Assert.That(pages.LivePageCount, Is.EqualTo(live), "no overflow chain was written for the refused value");
        Assert.That(tree.Count, Is.EqualTo(1));
        Assert.That(pages.PinCount, Is.Zero);
        TreeTestKit.AssertValid(pages, tree);
    }

    [Test]
    public void TryReadHandsOverInlineAndOverflowValuesWithoutCopyingThemOut()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        byte[] large = TreeTestKit.Bytes(new Random(8), 20_000);
        tree.Put([1], [5, 6, 7]);
        tree.Put([2], large);
        byte[]? seen = null;
        Assert.That(tree.TryRead([1], 0, (value, _) => seen = value.ToArray()), Is.True);
        Assert.That(seen, Is.EqualTo(new byte[] { 5, 6, 7 }));
        Assert.That(tree.TryRead([2], 0, (value, _) => seen = value.ToArray()), Is.True);
        Assert.That(seen, Is.EqualTo(large));
        Assert.That(tree.TryRead([3], 0, (_, _) => Assert.Fail("called for a missing key")), Is.False);
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void LargestKeysFitAndSplit()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        var random = new Random(5);
        var keys = new List<byte[]>();
        for (int i = 0; i < 300; i++)
        {
            byte[] key = TreeTestKit.Bytes(random, BTreeLimits.MaxKeyLength);
            keys.Add(key);
            tree.Put(key, TreeTestKit.Bytes(random, 2000));
        }
        TreeTestKit.AssertValid(pages, tree);
        foreach (byte[] key in keys)
            Assert.That(tree.Get(key), Has.Length.EqualTo(2000));
        foreach (byte[] key in keys)
            tree.Delete(key);
        TreeTestKit.AssertValid(pages, tree);
        Assert.That(pages.LivePageCount, Is.EqualTo(1));
    }

    [Test]
    public void KeyAndValueLimitsAreRefusedBeforeAnyChange()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        tree.Put([1], [1]);
        int live = pages.LivePageCount;
        Assert.Throws<ArgumentException>(() => tree.Put([], [1]));
        Assert.Throws<ArgumentException>(() => tree.Put(new byte[BTreeLimits.MaxKeyLength + 1], [1]));
        Assert.Throws<ArgumentException>(() => tree.Put([2], new byte[BTreeLimits.MaxValueLength + 1]));
        Assert.That(pages.LivePageCount, Is.EqualTo(live));
        Assert.That(tree.Count, Is.EqualTo(1));
        Assert.That(pages.PinCount, Is.Zero);
        TreeTestKit.AssertValid(pages, tree);
    }

    [Test]
    public void LargestValueRoundTripsAndItsChainIsFreed()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        var value = new byte[BTreeLimits.MaxValueLength];
        new Random(3).NextBytes(value.AsSpan(0, 1 << 20));
        value[^1] = 0xAB;
        tree.Put([7], value);
        Assert.That(tree.Get([7]).AsSpan().SequenceEqual(value), Is.True);
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree);
        Assert.That(check.OverflowPages, Is.GreaterThan(BTreeLimits.MaxValueLength / 4096));
        tree.Put([7], [1]);
        Assert.That(pages.LivePageCount, Is.EqualTo(1), "replacing frees the old chain");
        tree.Delete([7]);
        Assert.That(pages.LivePageCount, Is.EqualTo(1));
    }

    [Test]
    public void DropFreesEveryPage()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        var random = new Random(11);
        for (int i = 0; i < 3000; i++)
            tree.Put(TreeTestKit.Key(i), TreeTestKit.Bytes(random, i % 100 == 0 ? 10_000 : 30));
        tree.Drop();
        Assert.That(pages.LivePageCount, Is.Zero);
        Assert.That(pages.PinCount, Is.Zero);
    }
}
