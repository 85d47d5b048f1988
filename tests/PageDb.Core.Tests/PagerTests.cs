using System.Buffers.Binary;
using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class PagerTests
{
    private const string Path = "/mem/pager.pagedb";
    private const int PayloadOffset = PageHeader.Size;
    private MemoryStorage _storage = null!;

    [SetUp]
    public void CreateStorage() => _storage = new MemoryStorage();

    private Pager OpenPager(StorageOpenMode mode = StorageOpenMode.CreateIfMissing) => Pager.Open(_storage, Path, mode, cacheBytes: 1L << 20);

    [Test]
    public void Allocated_pages_survive_flush_close_and_reopen()
    {
        var numbers = new List<PageNumber>();
        using (Pager pager = OpenPager())
        {
            for (int i = 0; i < 20; i++)
            {
                using PageHandle page = pager.Allocate(PageType.Overflow);
                Stamp(page.Writable, page.Number, generation: 1);
                numbers.Add(page.Number);
            }
            pager.Flush();
        }
        Assert.That(numbers.Select(n => n.Value), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (uint)i)), "a new file grows page by page");

        using Pager reopened = OpenPager(StorageOpenMode.ReadWrite);
        Assert.That(reopened.PageCount, Is.EqualTo(21));
        foreach (PageNumber n in numbers)
        {
            using PageHandle page = reopened.Read(n);
            Assert.That(page.Type, Is.EqualTo(PageType.Overflow));
            AssertStamp(page.Data, n, generation: 1, "after reopen");
        }
    }

    [Test]
    public void Freed_pages_are_reused_before_the_file_grows_across_flush_and_reopen()
    {
        using (Pager pager = OpenPager())
        {
            for (int i = 0; i < 100; i++)
                pager.Allocate(PageType.Overflow).Dispose();
            pager.Flush();
        }
        var freed = new HashSet<uint>();
        using (Pager pager = OpenPager(StorageOpenMode.ReadWrite))
        {
            for (uint n = 2; n <= 100; n += 2)
            {
                pager.Free(new PageNumber(n));
                freed.Add(n);
            }
            pager.Flush();
        }

        using (Pager pager = OpenPager(StorageOpenMode.ReadWrite))
        {
            var onList = new List<PageNumber>();
            Assert.That(FreePageList.CollectPages(pager, onList), Is.EqualTo(50));
            Assert.That(onList.Select(p => p.Value), Is.EquivalentTo(freed));
            for (int i = 0; i < 50; i++)
            {
                using PageHandle page = pager.Allocate(PageType.BtreeLeaf);
                Assert.That(freed.Remove(page.Number.Value), Is.True, $"allocation {i} returned {page.Number}, which was not free");
            }
            Assert.That(pager.PageCount, Is.EqualTo(101), "no growth while free pages remain");
            using (PageHandle grown = pager.Allocate(PageType.BtreeLeaf))
                Assert.That(grown.Number, Is.EqualTo(new PageNumber(101)));
            pager.Flush();
        }
        using Pager last = OpenPager(StorageOpenMode.ReadWrite);
        Assert.That(FreePageList.CollectPages(last, new List<PageNumber>()), Is.Zero);
        Assert.That(last.PageCount, Is.EqualTo(102));
    }

    [Test]
    public void Randomized_allocate_free_and_reopen_lose_no_page_and_keep_every_byte()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var live = new Dictionary<uint, int>(); // page -> generation stamped in it
        Pager pager = OpenPager();
        int operations = TestSeed.LongRun ? 50_000 : 3_000;
        try
        {
            for (int op = 0; op < operations; op++)
            {
                string context = $"operation {op}, {TestSeed.Describe(seed)}";
                int dice = random.Next(100);
                if (dice < 50 || live.Count == 0)
                {
                    using PageHandle page = pager.Allocate(PageType.Overflow);
                    Assert.That(live.ContainsKey(page.Number.Value), Is.False, $"allocated live page {page.Number}; {context}");
                    live[page.Number.Value] = op;
                    Stamp(page.Writable, page.Number, op);
                }
                else if (dice < 90)
                {
                    uint victim = live.Keys.ElementAt(random.Next(live.Count));
                    live.Remove(victim);
                    pager.Free(new PageNumber(victim));
                }
                else if (dice < 97)
                {
                    uint target = live.Keys.ElementAt(random.Next(live.Count));
                    using PageHandle page = pager.Read(new PageNumber(target));
                    AssertStamp(page.Data, page.Number, live[target], context);
                }
                else
                {
                    pager.Flush();
                    pager.Dispose();
                    pager = OpenPager(StorageOpenMode.ReadWrite);
                    AssertAllAccounted(pager, live, context);
                }
            }
            pager.Flush();
            AssertAllAccounted(pager, live, "at the end, " + TestSeed.Describe(seed));
        }
        finally
        {
            pager.Dispose();
        }
    }

    [Test]
    public void An_overflow_chain_round_trips_through_reopen_and_its_freed_pages_are_reused()
    {
        var payload = new byte[50_000];
        new Random(3).NextBytes(payload);
        PageNumber first;
        uint pagesAfterWrite;
        using (Pager pager = OpenPager())
        {
            first = OverflowChain.Write(pager, payload);
            pager.Flush();
            pagesAfterWrite = pager.PageCount;
        }
        using (Pager pager = OpenPager(StorageOpenMode.ReadWrite))
        {
            var back = new byte[payload.Length];
            OverflowChain.Read(pager, first, back);
            Assert.That(back, Is.EqualTo(payload));
            OverflowChain.Free(pager, first);
            pager.Flush();
        }
        using (Pager pager = OpenPager(StorageOpenMode.ReadWrite))
        {
            PageNumber again = OverflowChain.Write(pager, payload);
            pager.Flush();
            Assert.That(pager.PageCount, Is.EqualTo(pagesAfterWrite), "the freed chain's pages were reused before the file grew");
            var back = new byte[payload.Length];
            OverflowChain.Read(pager, again, back);
            Assert.That(back, Is.EqualTo(payload));
        }
    }

    [Test]
    public void Changes_not_flushed_are_lost_on_dispose()
    {
        using (Pager pager = OpenPager())
        {
            pager.Allocate(PageType.Overflow).Dispose();
            pager.Flush();
            pager.Allocate(PageType.Overflow).Dispose();
        }
        using Pager reopened = OpenPager(StorageOpenMode.ReadWrite);
        Assert.That(reopened.PageCount, Is.EqualTo(2));
    }

    [Test]
    public void Each_flush_with_changes_increments_the_change_counter()
    {
        using Pager pager = OpenPager();
        ulong Counter()
        {
            var header = new byte[pager.PageSize];
            pager.File.ReadHeader(header);
            return new FileHeaderPageReader(header).ChangeCounter;
        }
        ulong before = Counter();
        pager.Allocate(PageType.Overflow).Dispose();
        pager.Flush();
        Assert.That(Counter(), Is.EqualTo(before + 1));
        pager.Flush();
        Assert.That(Counter(), Is.EqualTo(before + 1), "a flush with nothing to write writes nothing");
    }

    [Test]
    public void A_read_only_pager_reads_but_refuses_changes()
    {
        using (Pager pager = OpenPager())
        {
            using (PageHandle page = pager.Allocate(PageType.Overflow))
                Stamp(page.Writable, page.Number, 5);
            pager.Flush();
        }
        using Pager readOnly = OpenPager(StorageOpenMode.ReadOnly);
        using (PageHandle page = readOnly.Read(new PageNumber(1)))
            AssertStamp(page.Data, page.Number, 5, "read-only");
        Assert.That(() => readOnly.Allocate(PageType.Overflow), Throws.InstanceOf<InvalidOperationException>());
        Assert.That(() => readOnly.Write(new PageNumber(1)), Throws.InstanceOf<InvalidOperationException>());
        Assert.That(() => readOnly.Free(new PageNumber(1)), Throws.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void A_page_damaged_on_disk_is_reported_when_read_through_the_pager()
    {
        using (Pager pager = OpenPager())
        {
            for (int i = 0; i < 3; i++)
                pager.Allocate(PageType.Overflow).Dispose();
            pager.Flush();
        }
        using (IStorageFile raw = _storage.Open(Path, StorageOpenMode.ReadWrite))
            raw.Write((2 * 4096) + 100, [0xFF]);
        using Pager reopened = OpenPager(StorageOpenMode.ReadWrite);
        Assert.That(() => reopened.Read(new PageNumber(2)),
            Throws.InstanceOf<CorruptDatabaseException>().With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(2));
        using PageHandle fine = reopened.Read(new PageNumber(3));
        Assert.That(fine.Type, Is.EqualTo(PageType.Overflow));
    }

    [Test]
    public void A_real_file_round_trips_through_the_pager()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-pager-").FullName;
        try
        {
            string path = System.IO.Path.Combine(directory, "real.pagedb");
            using (Pager pager = Pager.Open(FileStorage.Instance, path, StorageOpenMode.CreateIfMissing, pageSize: 8192))
            {
                for (int i = 0; i < 5; i++)
                {
                    using PageHandle page = pager.Allocate(PageType.Overflow);
                    Stamp(page.Writable, page.Number, 77);
                }
                pager.Free(new PageNumber(3));
                pager.Flush();
            }
            Assert.That(new FileInfo(path).Length, Is.EqualTo(6 * 8192));
            using Pager reopened = Pager.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite);
            Assert.That(reopened.PageSize, Is.EqualTo(8192));
            using (PageHandle page = reopened.Read(new PageNumber(5)))
                AssertStamp(page.Data, page.Number, 77, "real file");
            using PageHandle reused = reopened.Allocate(PageType.Overflow);
            Assert.That(reused.Number, Is.EqualTo(new PageNumber(3)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Fills the page's payload with bytes derived from its number and a generation, so any mix-up shows.</summary>
    private static void Stamp(Span<byte> page, PageNumber number, int generation)
    {
        BinaryPrimitives.WriteInt32LittleEndian(page[PayloadOffset..], generation);
        for (int i = PayloadOffset + 4; i < page.Length; i++)
            page[i] = (byte)(number.Value * 31 + (uint)generation + (uint)i);
    }

    private static void AssertStamp(ReadOnlySpan<byte> page, PageNumber number, int generation, string context)
    {
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(page[PayloadOffset..]), Is.EqualTo(generation), $"page {number} generation; {context}");
        for (int i = PayloadOffset + 4; i < page.Length; i++)
        {
            if (page[i] != (byte)(number.Value * 31 + (uint)generation + (uint)i))
                Assert.Fail($"page {number} byte {i} differs; {context}");
        }
    }

    /// <summary>Every page is exactly one of: the header, live, or on the free list; and every live page holds its stamp.</summary>
    private static void AssertAllAccounted(Pager pager, Dictionary<uint, int> live, string context)
    {
        var free = new List<PageNumber>();
        FreePageList.CollectPages(pager, free);
        var freeSet = free.Select(p => p.Value).ToHashSet();
        Assert.That(freeSet.Overlaps(live.Keys), Is.False, $"a live page is on the free list; {context}");
        Assert.That(freeSet.Count + live.Count + 1, Is.EqualTo(pager.PageCount), $"pages lost or double counted; {context}");
        foreach ((uint number, int generation) in live)
        {
            using PageHandle page = pager.Read(new PageNumber(number));
            AssertStamp(page.Data, page.Number, generation, context);
        }
    }
}
