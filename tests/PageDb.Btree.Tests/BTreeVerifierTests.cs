using System.Buffers.Binary;
using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Btree.Tests;

/// <summary>Damages pages on purpose: the verifier must name the page, and reads must raise CorruptDatabaseException.</summary>
[TestFixture]
public class BTreeVerifierTests
{
    [Test]
    public void HealthyTreeReportsShapeAndPages()
    {
        var (pages, tree) = Filled(3000);
        BTreeVerification check = TreeTestKit.AssertValid(pages, tree);
        Assert.That(check.Depth, Is.EqualTo(2));
        Assert.That(check.EntryCount, Is.EqualTo(3000));
        Assert.That(check.PagesReached, Has.Count.EqualTo(check.LeafPages + check.InteriorPages + check.OverflowPages));
        Assert.DoesNotThrow(() => BTreeVerifier.VerifyOrThrow(pages, tree.Root));
    }

    [Test]
    public void KeysOutOfOrderAreReportedAndNamed()
    {
        var (pages, tree) = Filled(3000);
        PageNumber leaf = FirstLeaf(pages, tree);
        using (PageHandle handle = pages.Write(leaf))
        {
            // the first key's last byte: 0 becomes 0xFF, so it sorts after its neighbours
            Span<byte> cell = new SlottedPage(handle.Writable, "test.pagedb").GetCellWritable(0);
            int keyStart = LeafCell.FormatOf(pages) == LeafCellFormat.Compact ? 1 : LeafCell.HeaderSize; // an 8-byte key
            cell[keyStart + 7] = 0xFF;
        }
        BTreeVerification check = BTreeVerifier.Verify(pages, tree.Root);
        Assert.That(check.IsOk, Is.False);
        Assert.That(check.Problems.Select(p => p.ToString()), Has.Some.StartsWith($"page {leaf}:"));
        Assert.Throws<CorruptDatabaseException>(() => BTreeVerifier.VerifyOrThrow(pages, tree.Root));
    }

    [Test]
    public void BadCellLengthIsCorruptOnRead()
    {
        var (pages, tree) = Filled(3000);
        PageNumber leaf = FirstLeaf(pages, tree);
        using (PageHandle handle = pages.Write(leaf))
            BinaryPrimitives.WriteUInt16LittleEndian(new SlottedPage(handle.Writable, "test.pagedb").GetCellWritable(1), 2000);
        var error = Assert.Throws<CorruptDatabaseException>(() => tree.Get(TreeTestKit.Key(1)));
        Assert.That(error!.PageNumber, Is.EqualTo(leaf.Value));
        Assert.That(pages.PinCount, Is.Zero);
        Assert.That(BTreeVerifier.Verify(pages, tree.Root).Problems.Select(p => p.ToString()), Has.Some.StartsWith($"page {leaf}:"));
        using BTreeCursor cursor = tree.OpenCursor();
        Assert.Throws<CorruptDatabaseException>(() => cursor.Seek(TreeTestKit.Key(1)));
    }

    [Test]
    public void WrongPageTypeIsCorrupt()
    {
        var (pages, tree) = Filled(3000);
        PageNumber leaf = FirstLeaf(pages, tree);
        using (PageHandle handle = pages.Write(leaf))
            PageHeader.SetType(handle.Writable, PageType.FreeListTrunk);
        Assert.Throws<CorruptDatabaseException>(() => tree.Get(TreeTestKit.Key(0)));
        Assert.Throws<CorruptDatabaseException>(() => tree.Put(TreeTestKit.Key(0), [1]));
        Assert.That(pages.PinCount, Is.Zero);
        Assert.That(BTreeVerifier.Verify(pages, tree.Root).Problems.Select(p => p.ToString()), Has.Some.StartsWith($"page {leaf}:"));
    }

    [Test]
    public void PageReachedTwiceAndWrongCountAreReported()
    {
        var (pages, tree) = Filled(3000);
        PageNumber leaf = FirstLeaf(pages, tree);
        using (PageHandle root = pages.Write(tree.Root))
        {
            var page = new SlottedPage(root.Writable, "test.pagedb");
            InteriorCell.SetChild(page.GetCellWritable(1), leaf); // second child now points at the first leaf too
        }
        BTreeVerification check = BTreeVerifier.Verify(pages, tree.Root);
        Assert.That(check.Problems.Select(p => p.ToString()), Has.Some.Contains("reached twice"));
        Assert.That(check.Problems.Select(p => p.ToString()), Has.Some.Contains("entries"));
    }

    [Test]
    public void SeparatorOutOfBoundsIsReported()
    {
        var (pages, tree) = Filled(3000);
        using (PageHandle root = pages.Write(tree.Root))
        {
            Span<byte> cell = new SlottedPage(root.Writable, "test.pagedb").GetCellWritable(0);
            cell[InteriorCell.KeyOffset..].Fill(0xEE); // first separator now above the second
        }
        BTreeVerification check = BTreeVerifier.Verify(pages, tree.Root);
        Assert.That(check.Problems.Select(p => p.ToString()), Has.Some.StartsWith($"page {tree.Root}:").And.Contains("separator"));
    }

    private static (InMemoryPageAccessor, BTree) Filled(int count)
    {
        var (pages, tree) = TreeTestKit.NewTree();
        for (int i = 0; i < count; i++)
            tree.Put(TreeTestKit.Key(i), new byte[20]);
        return (pages, tree);
    }

    private static PageNumber FirstLeaf(InMemoryPageAccessor pages, BTree tree)
    {
        using PageHandle root = pages.Read(tree.Root);
        return InteriorCell.Read(new SlottedPageReader(root.Data, "test.pagedb").GetCell(0), tree.Root, pages.FilePath).Child;
    }
}
