using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

/// <summary>
/// An append past the last key of a full rightmost leaf starts a new leaf and leaves the full one as it is
/// (NodeSplitter.StartRightmostLeaf): the put writes only the parent chain and the new leaf, so a commit of it logs no
/// second copy of the full page.
/// </summary>
[TestFixture]
public class RightmostAppendTests
{
    [TestCase(150, 1)]
    [TestCase(40, 2)]
    public void An_append_split_writes_the_new_leaf_and_the_path_above_it_but_not_the_full_leaf(int valueLength, int interiorLevels)
    {
        var pages = new WriteRecordingPages(new InMemoryPageAccessor());
        var tree = new BTree(pages, BTree.Create(pages));
        var value = new byte[valueLength];
        int splits = 0;
        for (long k = 0; k < 60_000 && splits < 300; k++)
        {
            uint before = pages.PageCount;
            pages.Written.Clear();
            tree.Put(TreeTestKit.Key(k), value);
            if (pages.PageCount == before)
                continue;
            BTreeVerification shape = TreeTestKit.AssertValid(pages.Inner, tree, $"key {k}");
            if (shape.Depth < interiorLevels + 1)
                continue;
            splits++;
            // Written: the root (its count), each interior page down to the new leaf's parent, the new leaf. A split
            // that also split an interior page writes that page's new sibling too: skip those rare puts.
            if (pages.PageCount - before > 1)
                continue;
            PageNumber newLeaf = new(before);
            Assert.That(pages.Written, Does.Contain(newLeaf), $"key {k}");
            Assert.That(pages.Written.Count, Is.EqualTo(shape.Depth), $"key {k}: pages written {string.Join(",", pages.Written)}");
            Assert.That(tree.Get(TreeTestKit.Key(k)), Is.EqualTo(value), $"key {k}");
        }
        Assert.That(splits, Is.EqualTo(300), "the loop reached enough splits at that depth");
        BTreeVerification check = TreeTestKit.AssertValid(pages.Inner, tree);
        Assert.That(check.LeafFill, Is.GreaterThan(0.9), "ascending keys still leave full leaves behind");
        TreeTestKit.AssertNoPageLost(pages.Inner, check);
    }

    [Test]
    public void An_append_that_fits_reads_each_page_of_its_path_once()
    {
        var pages = new WriteRecordingPages(new InMemoryPageAccessor());
        var tree = new BTree(pages, BTree.Create(pages));
        var value = new byte[100];
        int fitting = 0;
        for (long k = 0; k < 20_000; k++)
        {
            uint before = pages.PageCount;
            pages.Reads.Clear();
            tree.Put(TreeTestKit.Key(k), value);
            if (pages.PageCount != before)
                continue;
            fitting++;
            // The descent reads the path; deciding whether the put is an append to a full leaf must not read it again.
            Assert.That(pages.Reads, Is.Unique, $"key {k}: pages read {string.Join(",", pages.Reads)}");
        }
        Assert.That(TreeTestKit.AssertValid(pages.Inner, tree).Depth, Is.GreaterThanOrEqualTo(3), "the tree has interior pages under its root");
        Assert.That(fitting, Is.GreaterThan(19_000));
    }

    [Test]
    public void Keys_below_the_last_one_still_split_by_bytes()
    {
        var (pages, tree) = TreeTestKit.NewTree();
        var value = new byte[100];
        for (long k = 0; k < 5_000; k++)
            tree.Put(TreeTestKit.Key(2 * k), value);
        // Fill the rightmost leaf's gaps: each goes in front of its last key, so a full leaf splits the ordinary way.
        for (long k = 4_999; k >= 4_000; k--)
            tree.Put(TreeTestKit.Key((2 * k) + 1), value);
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree);
        Assert.That(check.EntryCount, Is.EqualTo(6_000));
        TreeTestKit.AssertNoPageLost(pages, check);
        for (long k = 0; k < 10_000; k++)
            Assert.That(tree.ContainsKey(TreeTestKit.Key(k)), Is.EqualTo(k % 2 == 0 || k >= 8_000), $"key {k}");
    }

    /// <summary>
    /// Forwards to an <see cref="InMemoryPageAccessor"/> and records the pages pinned for writing or allocated, and
    /// each pin for reading.
    /// </summary>
    private sealed class WriteRecordingPages(InMemoryPageAccessor inner) : IPageAccessor
    {
        public InMemoryPageAccessor Inner { get; } = inner;

        public HashSet<PageNumber> Written { get; } = [];

        public int PageSize => Inner.PageSize;

        public string FilePath => Inner.FilePath;

        public uint FormatVersion => Inner.FormatVersion;

        public uint PageCount => Inner.PageCount;

        public List<PageNumber> Reads { get; } = [];

        public PageHandle Read(PageNumber page)
        {
            Reads.Add(page);
            return Inner.Read(page);
        }

        public PageHandle Write(PageNumber page)
        {
            Written.Add(page);
            return Inner.Write(page);
        }

        public PageHandle Allocate(PageType type)
        {
            PageHandle handle = Inner.Allocate(type);
            Written.Add(handle.Number);
            return handle;
        }

        public void Free(PageNumber page) => Inner.Free(page);
    }
}
