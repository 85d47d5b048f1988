using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

[TestFixture]
public class BTreeBulkLoaderTests
{
    [Test]
    public void EmptyInputGivesAnEmptyTree()
    {
        var pages = new InMemoryPageAccessor();
        PageNumber root = BTreeBulkLoader.Load(pages, []);
        var tree = new BTree(pages, root);
        Assert.That(tree.Count, Is.Zero);
        TreeTestKit.AssertValid(pages, tree);
        Assert.That(pages.LivePageCount, Is.EqualTo(1));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(150)]
    [TestCase(100_000)]
    public void LoadsSortedInputDensely(int count)
    {
        var pages = new InMemoryPageAccessor();
        PageNumber root = BTreeBulkLoader.Load(pages, Entries(count, 30));
        var tree = new BTree(pages, root);
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree);
        TestContext.Out.WriteLine(check);
        Assert.That(tree.Count, Is.EqualTo(count));
        if (count >= 1000)
            Assert.That(check.LeafFill, Is.GreaterThanOrEqualTo(0.9));
        using BTreeCursor cursor = tree.OpenCursor();
        int n = 0;
        for (bool ok = cursor.SeekFirst(); ok; ok = cursor.Next())
            Assert.That(cursor.Key.ToArray(), Is.EqualTo(TreeTestKit.Key(n++)));
        Assert.That(n, Is.EqualTo(count));
        TreeTestKit.AssertNoPageLost(pages, check);
    }

    [Test]
    public void FillFactorLeavesRoomAndTheTreeStaysUsable()
    {
        var pages = new InMemoryPageAccessor();
        var tree = new BTree(pages, BTreeBulkLoader.Load(pages, Entries(20_000, 20), fillFactor: 0.7));
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree);
        Assert.That(check.LeafFill, Is.InRange(0.6, 0.75));
        for (int i = 0; i < 20_000; i += 7)
            tree.Delete(TreeTestKit.Key(i));
        tree.Put(TreeTestKit.Key(1_000_000), [1]);
        TreeTestKit.AssertValid(pages, tree);
    }

    [Test]
    public void LargeValuesAndLongKeysAreLoaded()
    {
        var pages = new InMemoryPageAccessor();
        var random = new Random(4);
        var entries = Enumerable.Range(0, 500)
            .Select(i => new KeyValuePair<byte[], byte[]>([.. new byte[900], .. TreeTestKit.Key(i)], TreeTestKit.Bytes(random, i % 10 == 0 ? 30_000 : 50)))
            .ToList();
        var tree = new BTree(pages, BTreeBulkLoader.Load(pages, entries));
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree);
        Assert.That(check.OverflowPages, Is.GreaterThan(0));
        foreach (var entry in entries)
            Assert.That(tree.Get(entry.Key), Is.EqualTo(entry.Value));
        TreeTestKit.AssertNoPageLost(pages, check);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void UnsortedOrDuplicateInputIsRefusedAndEverythingFreed(bool duplicate)
    {
        var pages = new InMemoryPageAccessor();
        var entries = Entries(5000, 30).ToList();
        entries.Add(new(TreeTestKit.Key(duplicate ? 4999 : 17), new byte[40_000]));
        var error = Assert.Throws<ArgumentException>(() => BTreeBulkLoader.Load(pages, entries));
        Assert.That(error!.Message, Does.Contain(duplicate ? "duplicate" : "not sorted"));
        Assert.That(pages.LivePageCount, Is.Zero);
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void DisposingWithoutCompletingFreesEverything()
    {
        var pages = new InMemoryPageAccessor();
        using (var loader = new BTreeBulkLoader(pages))
        {
            foreach (var entry in Entries(3000, 100))
                loader.Add(entry.Key, entry.Value);
            loader.Add(TreeTestKit.Key(5000), new byte[100_000]);
        }
        Assert.That(pages.LivePageCount, Is.Zero);
    }

    [Test]
    public void BadArgumentsAreRefused()
    {
        var pages = new InMemoryPageAccessor();
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new BTreeBulkLoader(pages, 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new BTreeBulkLoader(pages, 1.5));
        using var loader = new BTreeBulkLoader(pages);
        Assert.Throws<ArgumentException>(() => loader.Add([], [1]));
        Assert.Throws<ArgumentException>(() => loader.Add(new byte[1025], [1]));
        Assert.That(pages.LivePageCount, Is.Zero);
    }

    private static IEnumerable<KeyValuePair<byte[], byte[]>> Entries(int count, int valueLength)
    {
        for (int i = 0; i < count; i++)
            yield return new(TreeTestKit.Key(i), new byte[valueLength]);
    }
}
