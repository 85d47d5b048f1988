using System.Buffers.Binary;
using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class FreePageListTests
{
    private const int PageSize = 4096;
    private static readonly int Capacity = FreeListTrunkPage.CapacityFor(PageSize);

    [Test]
    public void Trunk_capacity_fills_the_page() => Assert.That(Capacity, Is.EqualTo(1018));

    [Test]
    public void An_empty_list_pops_nothing()
    {
        var pages = new RawPages(10);
        Assert.That(FreePageList.TryPop(pages, out _), Is.False);
        Assert.That(FreePageList.CollectPages(pages, new List<PageNumber>()), Is.Zero);
    }

    [Test]
    public void The_first_freed_page_becomes_the_trunk_and_is_handed_out_last()
    {
        var pages = new RawPages(10);
        Assert.That(FreePageList.Push(pages, new PageNumber(4)), Is.True, "no trunk yet: the page becomes one");
        Assert.That(FreePageList.Push(pages, new PageNumber(7)), Is.False);
        Assert.That(FreePageList.Push(pages, new PageNumber(2)), Is.False);
        Assert.That(pages.Header.FreeListHead, Is.EqualTo(new PageNumber(4)));
        Assert.That(pages.Header.FreePageCount, Is.EqualTo(3));

        Assert.That(PopAll(pages), Is.EqualTo(new uint[] { 2, 7, 4 }), "entries last-in first-out, then the empty trunk itself");
        Assert.That(pages.Header.FreeListHead.IsNone, Is.True);
        Assert.That(pages.Header.FreePageCount, Is.Zero);
        Assert.That(pages.PinCount, Is.Zero);
    }

    [Test]
    public void A_full_trunk_makes_the_next_freed_page_a_new_trunk_linking_to_it()
    {
        int total = (3 * (Capacity + 1)) + 5; // three full trunks and a fourth with entries
        var pages = new RawPages((uint)total + 1);
        for (uint n = 1; n <= total; n++)
            FreePageList.Push(pages, new PageNumber(n));

        List<PageNumber> trunks = pages.WalkTrunks();
        Assert.That(trunks, Has.Count.EqualTo(4));
        Assert.That(trunks[^1], Is.EqualTo(new PageNumber(1)), "the oldest trunk is the first page freed");
        var collected = new List<PageNumber>();
        Assert.That(FreePageList.CollectPages(pages, collected), Is.EqualTo(total));
        Assert.That(collected.Select(p => p.Value), Is.EquivalentTo(Enumerable.Range(1, total).Select(i => (uint)i)));

        Assert.That(PopAll(pages).Order(), Is.EqualTo(Enumerable.Range(1, total).Select(i => (uint)i)), "every page comes back exactly once");
    }

    [Test]
    public void Randomized_push_and_pop_match_a_set_model()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        const uint PageCount = 2600; // enough for the list to span three trunks
        var pages = new RawPages(PageCount);
        var free = new HashSet<uint>();
        var live = Enumerable.Range(1, (int)PageCount - 1).Select(i => (uint)i).ToList();
        int operations = TestSeed.LongRun ? 200_000 : 6_000;
        for (int op = 0; op < operations; op++)
        {
            string context = $"operation {op}, {TestSeed.Describe(seed)}";
            bool push = live.Count > 0 && (free.Count == 0 || random.Next(100) < (op % 2000 < 1000 ? 75 : 25));
            if (push)
            {
                int index = random.Next(live.Count);
                uint page = live[index];
                live[index] = live[^1];
                live.RemoveAt(live.Count - 1);
                FreePageList.Push(pages, new PageNumber(page));
                free.Add(page);
            }
            else
            {
                bool popped = FreePageList.TryPop(pages, out PageNumber page);
                Assert.That(popped, Is.EqualTo(free.Count > 0), context);
                if (popped)
                {
                    Assert.That(free.Remove(page.Value), Is.True, $"popped {page}, which was not free; {context}");
                    live.Add(page.Value);
                }
            }
            var collected = new HashSet<uint>();
            FreePageList.CollectPages(pages, new SetCollector(collected));
            Assert.That(collected.SetEquals(free), Is.True, context);
            Assert.That(pages.PinCount, Is.Zero, context);
            pages.Header.Verify("(raw)");
        }
    }

    [Test]
    public void Freeing_the_header_or_a_page_past_the_end_is_refused_and_changes_nothing()
    {
        var pages = new RawPages(5);
        Assert.That(() => FreePageList.Push(pages, PageNumber.Header), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => FreePageList.Push(pages, new PageNumber(5)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(pages.Header.FreePageCount, Is.Zero);
    }

    [Test]
    public void A_cycle_between_trunks_is_corruption()
    {
        var pages = FullOfTrunks(out List<PageNumber> trunks);
        pages.Trunk(trunks[^1]).Next = trunks[0]; // the oldest links back to the newest
        Assert.That(() => FreePageList.CollectPages(pages, new List<PageNumber>()),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("twice"));
    }

    [Test]
    public void A_trunk_linking_to_itself_is_corruption()
    {
        var pages = new RawPages(10);
        FreePageList.Push(pages, new PageNumber(3));
        pages.Trunk(new PageNumber(3)).Next = new PageNumber(3);
        FileHeaderPage header = pages.Header;
        header.FreePageCount = 1;
        Assert.That(() => FreePageList.CollectPages(pages, new List<PageNumber>()), Throws.InstanceOf<CorruptDatabaseException>());
    }

    [Test]
    public void An_entry_past_the_end_is_corruption_and_pop_changes_nothing()
    {
        var pages = new RawPages(10);
        FreePageList.Push(pages, new PageNumber(3));
        FreePageList.Push(pages, new PageNumber(4));
        BinaryPrimitives.WriteUInt32LittleEndian(pages.Bytes(new PageNumber(3)).AsSpan(24), 10);
        Assert.That(() => FreePageList.CollectPages(pages, new List<PageNumber>()),
            Throws.InstanceOf<CorruptDatabaseException>().With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(3));
        Assert.That(() => FreePageList.TryPop(pages, out _), Throws.InstanceOf<CorruptDatabaseException>());
        Assert.That(pages.Header.FreePageCount, Is.EqualTo(2), "a corrupt pop must not half-change the list");
        Assert.That(pages.Trunk(new PageNumber(3)).Count, Is.EqualTo(1));
    }

    [Test]
    public void A_head_that_is_not_a_trunk_is_corruption()
    {
        var pages = new RawPages(10);
        FreePageList.Push(pages, new PageNumber(3));
        PageHeader.SetType(pages.Bytes(new PageNumber(3)), PageType.BtreeLeaf);
        Assert.That(() => FreePageList.TryPop(pages, out _), Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("not a free-list trunk"));
        Assert.That(() => FreePageList.Push(pages, new PageNumber(5)), Throws.InstanceOf<CorruptDatabaseException>());
    }

    [Test]
    public void An_entry_count_past_capacity_is_corruption()
    {
        var pages = new RawPages(10);
        FreePageList.Push(pages, new PageNumber(3));
        BinaryPrimitives.WriteUInt32LittleEndian(pages.Bytes(new PageNumber(3)).AsSpan(20), uint.MaxValue);
        Assert.That(() => FreePageList.TryPop(pages, out _), Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("capacity"));
        Assert.That(() => FreePageList.CollectPages(pages, new List<PageNumber>()), Throws.InstanceOf<CorruptDatabaseException>());
    }

    [TestCase(1u), TestCase(3u)]
    public void A_free_page_count_that_disagrees_with_the_list_is_corruption(uint wrongCount)
    {
        var pages = new RawPages(10);
        FreePageList.Push(pages, new PageNumber(3));
        FreePageList.Push(pages, new PageNumber(4));
        FileHeaderPage header = pages.Header;
        header.FreePageCount = wrongCount;
        Assert.That(() => FreePageList.CollectPages(pages, new List<PageNumber>()),
            Throws.InstanceOf<CorruptDatabaseException>().With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(0));
    }

    private static RawPages FullOfTrunks(out List<PageNumber> trunks)
    {
        int total = (2 * (Capacity + 1)) + 1;
        var pages = new RawPages((uint)total + 1);
        for (uint n = 1; n <= total; n++)
            FreePageList.Push(pages, new PageNumber(n));
        trunks = pages.WalkTrunks();
        Assert.That(trunks, Has.Count.EqualTo(3));
        return pages;
    }

    private static List<uint> PopAll(RawPages pages)
    {
        var popped = new List<uint>();
        while (FreePageList.TryPop(pages, out PageNumber page))
            popped.Add(page.Value);
        return popped;
    }

    /// <summary>Adapts a set to ICollection for <see cref="FreePageList.CollectPages"/>, without converting.</summary>
    private sealed class SetCollector(HashSet<uint> set) : ICollection<PageNumber>
    {
        public int Count => set.Count;
        public bool IsReadOnly => false;
        public void Add(PageNumber item) => set.Add(item.Value);
        public void Clear() => set.Clear();
        public bool Contains(PageNumber item) => set.Contains(item.Value);
        public void CopyTo(PageNumber[] array, int arrayIndex) => throw new NotSupportedException();
        public bool Remove(PageNumber item) => set.Remove(item.Value);
        public IEnumerator<PageNumber> GetEnumerator() => set.Select(v => new PageNumber(v)).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Pages as byte arrays with page 0 a file header: only Read and Write work, so a test passing through it proves the
    /// free list touches pages through nothing else. Counts pins.
    /// </summary>
    private sealed class RawPages : IPageAccessor
    {
        private readonly byte[][] _pages;

        public RawPages(uint pageCount)
        {
            _pages = new byte[pageCount][];
            for (uint n = 0; n < pageCount; n++)
            {
                _pages[n] = new byte[PageSize];
                PageHeader.Initialize(_pages[n], PageType.Slotted, new PageNumber(n));
            }
            _ = FileHeaderPage.Format(_pages[0], databaseId: 1);
            FileHeaderPage header = Header;
            header.PageCount = pageCount;
        }

        public int PageSize => FreePageListTests.PageSize;
        public string FilePath => "(raw)";

        public uint FormatVersion => FileHeaderPage.CurrentFormatVersion;
        public uint PageCount => (uint)_pages.Length;
        public int PinCount { get; private set; }
        public FileHeaderPage Header => new(_pages[0]);

        public byte[] Bytes(PageNumber page) => _pages[page.Value];

        public FreeListTrunkPage Trunk(PageNumber page) => new(_pages[page.Value]);

        public List<PageNumber> WalkTrunks()
        {
            var trunks = new List<PageNumber>();
            for (PageNumber t = Header.FreeListHead; !t.IsNone; t = Trunk(t).Next)
                trunks.Add(t);
            return trunks;
        }

        public PageHandle Read(PageNumber page) => Pin(page, isWritable: false);
        public PageHandle Write(PageNumber page) => Pin(page, isWritable: true);
        public PageHandle Allocate(PageType type) => throw new NotSupportedException("the free list must not allocate");
        public void Free(PageNumber page) => throw new NotSupportedException("the free list must not free");

        private PageHandle Pin(PageNumber page, bool isWritable)
        {
            PinCount++;
            return new PageHandle(new Frame(this, _pages[page.Value], page), isWritable);
        }

        private sealed class Frame : PageFrame
        {
            private readonly RawPages _owner;

            public Frame(RawPages owner, byte[] buffer, PageNumber number) : base(buffer)
            {
                _owner = owner;
                Number = number;
            }

            public override void Unpin() => _owner.PinCount--;
        }
    }
}
