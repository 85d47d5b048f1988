using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

public class OverflowChainTests
{
    [TestCase(1)]
    [TestCase(4072)]
    [TestCase(4073)]
    [TestCase(100_000)]
    public void A_chain_round_trips_and_frees_every_page(int length)
    {
        var pages = new InMemoryPageAccessor();
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        PageNumber first = OverflowChain.Write(pages, data);
        int expectedPages = (length + OverflowPage.Capacity(4096) - 1) / OverflowPage.Capacity(4096);
        Assert.That(OverflowChain.CountPages(pages, first), Is.EqualTo(expectedPages));
        Assert.That(pages.LivePageCount, Is.EqualTo(expectedPages));
        var back = new byte[length];
        OverflowChain.Read(pages, first, back);
        Assert.That(back, Is.EqualTo(data));
        OverflowChain.Free(pages, first);
        Assert.That(pages.LivePageCount, Is.Zero);
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void Reading_with_the_wrong_length_is_corruption()
    {
        var pages = new InMemoryPageAccessor();
        PageNumber first = OverflowChain.Write(pages, new byte[10_000]);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, new byte[9_000]));
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, new byte[20_000]));
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void A_cycle_or_a_wrong_page_type_is_corruption()
    {
        var pages = new InMemoryPageAccessor();
        PageNumber first = OverflowChain.Write(pages, new byte[10_000]);
        using (PageHandle last = pages.Write(new PageNumber(first.Value + 2)))
            new OverflowPage(last.Writable).SetNext(first);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.CountPages(pages, first));
        using (PageHandle second = pages.Write(new PageNumber(first.Value + 1)))
            PageHeader.SetType(second.Writable, PageType.BtreeLeaf);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, new byte[10_000]));
        Assert.That(pages.PinCount, Is.Zero);
    }
}
