using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

public class OverflowChainTests
{
    private static readonly uint Owner = OverflowChain.OwnerOf("key 1"u8);

    [TestCase(1)]
    [TestCase(4072)]
    [TestCase(4073)]
    [TestCase(100_000)]
    public void A_chain_round_trips_and_frees_every_page(int length)
    {
        var pages = new InMemoryPageAccessor();
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        PageNumber first = OverflowChain.Write(pages, data, Owner);
        int expectedPages = (length + OverflowPage.Capacity(4096) - 1) / OverflowPage.Capacity(4096);
        Assert.That(OverflowChain.CountPages(pages, first, Owner), Is.EqualTo(expectedPages));
        Assert.That(pages.LivePageCount, Is.EqualTo(expectedPages));
        var back = new byte[length];
        OverflowChain.Read(pages, first, Owner, back);
        Assert.That(back, Is.EqualTo(data));
        OverflowChain.Free(pages, first, Owner);
        Assert.That(pages.LivePageCount, Is.Zero);
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void Reading_with_the_wrong_length_is_corruption()
    {
        var pages = new InMemoryPageAccessor();
        PageNumber first = OverflowChain.Write(pages, new byte[10_000], Owner);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, Owner, new byte[9_000]));
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, Owner, new byte[20_000]));
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void A_cycle_or_a_wrong_page_type_is_corruption()
    {
        var pages = new InMemoryPageAccessor();
        PageNumber first = OverflowChain.Write(pages, new byte[10_000], Owner);
        using (PageHandle last = pages.Write(new PageNumber(first.Value + 2)))
            new OverflowPage(last.Writable).SetNext(first);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.CountPages(pages, first, Owner));
        using (PageHandle second = pages.Write(new PageNumber(first.Value + 1)))
            PageHeader.SetType(second.Writable, PageType.BtreeLeaf);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, Owner, new byte[10_000]));
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void A_link_into_another_values_chain_of_the_right_length_is_corruption()
    {
        var pages = new InMemoryPageAccessor();
        uint other = OverflowChain.OwnerOf("key 2"u8);
        PageNumber mine = OverflowChain.Write(pages, new byte[10_000], Owner);
        PageNumber theirs = OverflowChain.Write(pages, new byte[10_000], other);
        using (PageHandle first = pages.Write(mine))
            new OverflowPage(first.Writable).SetNext(new PageNumber(theirs.Value + 1));
        var ex = Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, mine, Owner, new byte[10_000]));
        Assert.That(ex!.Message, Does.Contain("another value's chain"));
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Free(pages, mine, Owner));
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, theirs, Owner, new byte[10_000]));
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void A_chain_written_before_owners_were_recorded_reads_but_must_be_unowned_throughout()
    {
        var pages = new InMemoryPageAccessor();
        byte[] data = new byte[10_000];
        new Random(3).NextBytes(data);
        PageNumber first = OverflowChain.Write(pages, data, owner: 0);
        var back = new byte[data.Length];
        OverflowChain.Read(pages, first, Owner, back);
        Assert.That(back, Is.EqualTo(data));
        using (PageHandle second = pages.Write(new PageNumber(first.Value + 1)))
            new OverflowPage(second.Writable).SetOwner(Owner);
        Assert.Throws<CorruptDatabaseException>(() => OverflowChain.Read(pages, first, Owner, back));
        Assert.That(pages.PinCount, Is.Zero);
    }
}
