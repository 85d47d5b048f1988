using NUnit.Framework;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class BufferPoolTests
{
    private const int PageSize = 256;

    private static PageKey Key(uint page, ulong version = 0) => new(new PageNumber(page), version);

    private static BufferPool NewPool(int frames) => new(PageSize, (long)frames * PageSize);

    /// <summary>Pins and unpins <paramref name="pages"/> in order, checking each page's bytes and the pool.</summary>
    private static void Touch(BufferPool pool, KeyStampLoader loader, params uint[] pages)
    {
        foreach (uint page in pages)
        {
            using (PageHandle handle = pool.Pin(Key(page), loader))
                Assert.That(KeyStampLoader.HasStamp(Key(page), handle.Data), Is.True, $"page {page} holds its own bytes");
            pool.Verify();
        }
    }

    private static bool IsCached(BufferPool pool, PageKey key)
    {
        if (!pool.TryPin(key, out PageHandle handle))
            return false;
        handle.Dispose();
        return true;
    }

    [Test]
    public void A_miss_loads_the_page_and_a_hit_serves_it_without_loading()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1, 1);
        using (PageHandle handle = pool.Pin(Key(1), loader, forWriting: true))
        {
            Assert.That(handle.Number, Is.EqualTo(new PageNumber(1)));
            Assert.That(handle.IsWritable, Is.True);
        }
        Assert.That(loader.Calls, Is.EqualTo(1));
        Assert.That(pool.Stats, Is.EqualTo(new BufferPoolStats(Hits: 2, Misses: 1, Evictions: 0, CachedPages: 1, PinnedFrames: 0, DirtyFrames: 0, FrameCount: 4)));
        Assert.That(pool.TryPin(Key(2), out _), Is.False, "TryPin never loads");
        pool.Verify();
    }

    /// <summary>
    /// A peek reads a cached version and leaves the pool as if it had not happened: the same random pins with and
    /// without peeks between them give the same statistics and keep the same versions cached (eviction order).
    /// </summary>
    [Test]
    public void A_peek_counts_no_hit_and_leaves_the_eviction_order_unchanged()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using BufferPool plain = NewPool(8);
        using BufferPool peeked = NewPool(8);
        var loader = new KeyStampLoader();
        for (int step = 0; step < 2000; step++)
        {
            uint page = (uint)random.Next(1, 20);
            if (random.Next(3) == 0)
            {
                if (peeked.TryPeek(Key(page), out PageHandle handle))
                {
                    using (handle)
                    {
                        Assert.That(handle.IsWritable, Is.False, "a peek only reads");
                        Assert.That(KeyStampLoader.HasStamp(Key(page), handle.Data), Is.True, TestSeed.Describe(seed));
                    }
                }
                continue;
            }
            Touch(plain, loader, page);
            Touch(peeked, loader, page);
        }
        Assert.That(peeked.Stats, Is.EqualTo(plain.Stats), TestSeed.Describe(seed));
        for (uint page = 1; page < 20; page++)
            Assert.That(IsCachedQuietly(peeked, page), Is.EqualTo(IsCachedQuietly(plain, page)), $"page {page}, {TestSeed.Describe(seed)}");
        Assert.That(peeked.TryPeek(Key(99), out _), Is.False, "a peek never loads");
        peeked.Verify();
    }

    private static bool IsCachedQuietly(BufferPool pool, uint page)
    {
        if (!pool.TryPeek(Key(page), out PageHandle handle))
            return false;
        handle.Dispose();
        return true;
    }

    [Test]
    public void Versions_of_one_page_are_cached_separately()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        foreach (ulong version in new ulong[] { 0, 5, 9 })
        {
            using PageHandle handle = pool.Pin(Key(3, version), loader);
            Assert.That(KeyStampLoader.HasStamp(Key(3, version), handle.Data), Is.True);
        }
        Assert.That(pool.Stats.CachedPages, Is.EqualTo(3));
        Assert.That(PageKey.FromFile(new PageNumber(3)), Is.EqualTo(Key(3, 0)));
        pool.Verify();
    }

    [Test]
    public void Capacity_is_rounded_down_to_whole_frames_and_must_hold_four()
    {
        using var pool = new BufferPool(PageSize, 10 * PageSize + PageSize - 1);
        Assert.That(pool.FrameCount, Is.EqualTo(10));
        Assert.That(pool.PageSize, Is.EqualTo(PageSize));
        Assert.That(() => new BufferPool(PageSize, 4 * PageSize - 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new BufferPool(0, 4096), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Eviction_takes_probation_pages_first_oldest_first()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1, 1, 2, 3, 4); // 1 protected; 2, 3, 4 probation (3 of 4 frames)
        Touch(pool, loader, 5);             // evicts 2
        Touch(pool, loader, 6);             // probation 3, 4, 5 (3 of 4): evicts 3
        Assert.That(pool.Stats.Evictions, Is.EqualTo(2));
        Assert.That((IsCached(pool, Key(2)), IsCached(pool, Key(3))), Is.EqualTo((false, false)));
        Assert.That(IsCached(pool, Key(1)) && IsCached(pool, Key(4)) && IsCached(pool, Key(6)), Is.True);
        pool.Verify();
    }

    [Test]
    public void Eviction_takes_the_least_recently_used_protected_page_once_probation_is_a_quarter()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1, 1, 2, 2, 3, 3, 1); // protected, least recent first: 2, 3, 1
        Touch(pool, loader, 4);                   // probation holds 1 of 4
        Touch(pool, loader, 5);                   // evicts 2
        Assert.That(IsCached(pool, Key(2)), Is.False);
        Assert.That(IsCached(pool, Key(1)) && IsCached(pool, Key(3)) && IsCached(pool, Key(4)) && IsCached(pool, Key(5)), Is.True);
        pool.Verify();
    }

    [Test]
    public void A_second_access_promotes_a_page_out_of_probation()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1, 2, 3, 4, 1); // 1 promoted; probation 2, 3, 4
        Touch(pool, loader, 5, 6, 7);       // evicts 2, 3, 4
        Assert.That(IsCached(pool, Key(1)), Is.True, "the promoted page outlives three newer ones");
        Assert.That(pool.Stats.Evictions, Is.EqualTo(3));
        Assert.That(loader.Calls, Is.EqualTo(7));
        pool.Verify();
    }

    [Test]
    public void A_scan_ten_times_the_pool_does_not_evict_the_hot_set()
    {
        const int Frames = 64, HotPages = 16;
        using BufferPool pool = NewPool(Frames);
        var loader = new KeyStampLoader();
        for (int round = 0; round < 3; round++)
        {
            for (uint page = 0; page < HotPages; page++)
                Touch(pool, loader, page);
        }
        for (uint page = 1000; page < 1000 + 10 * Frames; page++)
            Touch(pool, loader, page);

        BufferPoolStats before = pool.Stats;
        Assert.That(before.Evictions, Is.EqualTo(HotPages + 10 * Frames - Frames));
        for (uint page = 0; page < HotPages; page++)
            Assert.That(IsCached(pool, Key(page)), Is.True, $"hot page {page} survived the scan");
        Touch(pool, loader, 0, 1, 2);
        BufferPoolStats after = pool.Stats;
        Assert.That(after.Misses, Is.EqualTo(before.Misses), "the hot set is served from the cache");
        Assert.That(after.Hits - before.Hits, Is.EqualTo(HotPages + 3));
        pool.Verify();
    }

    [Test]
    public void When_every_frame_is_pinned_a_pin_of_another_page_throws_exhausted()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        PageHandle[] held = new PageHandle[4];
        for (uint page = 0; page < 4; page++)
            held[page] = pool.Pin(Key(page), loader);
        BufferPoolStats full = pool.Stats;

        Assert.That(() => pool.Pin(Key(9), loader), Throws.InstanceOf<BufferPoolExhaustedException>().With.Message.Contains("exhausted"));
        Assert.That(() => pool.PinNewVersion(Key(9, 1)), Throws.InstanceOf<BufferPoolExhaustedException>());
        Assert.That(pool.Stats, Is.EqualTo(full), "a refused pin changes nothing");
        Assert.That(loader.Calls, Is.EqualTo(4));
        using (PageHandle again = pool.Pin(Key(2), loader))
            Assert.That(KeyStampLoader.HasStamp(Key(2), again.Data), Is.True, "a pinned page can be pinned again");
        pool.Verify();

        held[1].Dispose();
        using (PageHandle handle = pool.Pin(Key(9), loader))
            Assert.That(KeyStampLoader.HasStamp(Key(9), handle.Data), Is.True);
        Assert.That(IsCached(pool, Key(1)), Is.False, "the only unpinned frame was the victim");
        held[0].Dispose();
        held[2].Dispose();
        held[3].Dispose();
        Assert.That(pool.Stats.PinnedFrames, Is.Zero);
        pool.Verify();
    }

    [Test]
    public void Dirty_frames_are_never_evicted_until_marked_clean()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        using (PageHandle created = pool.PinNewVersion(Key(1, 7)))
        {
            Assert.That(created.IsWritable && created.Data.IndexOfAnyExcept((byte)0) < 0, Is.True, "a new version starts zeroed and writable");
            KeyStampLoader.Stamp(Key(1, 7), created.Writable);
        }
        pool.PinNewVersion(Key(2, 7)).Dispose();
        Touch(pool, loader, 3);
        pool.MarkDirty(Key(3));
        pool.MarkDirty(Key(3));
        Assert.That(pool.Stats.DirtyFrames, Is.EqualTo(3));
        pool.Verify();

        for (uint page = 100; page < 200; page++)
            Touch(pool, loader, page); // all through the one clean frame
        Assert.That(IsCached(pool, Key(1, 7)) && IsCached(pool, Key(2, 7)) && IsCached(pool, Key(3)), Is.True);
        Assert.That(pool.TryPin(Key(1, 7), out PageHandle kept), Is.True);
        using (kept)
            Assert.That(KeyStampLoader.HasStamp(Key(1, 7), kept.Data), Is.True, "the unsaved bytes are intact");
        var dirty = new List<PageKey>();
        pool.CopyDirtyKeys(dirty);
        Assert.That(dirty, Is.EquivalentTo(new[] { Key(1, 7), Key(2, 7), Key(3) }));

        pool.MarkDirty(Key(199));
        Assert.That(() => pool.Pin(Key(500), loader), Throws.InstanceOf<BufferPoolExhaustedException>(), "four dirty frames leave no room");
        pool.MarkClean(Key(2, 7));
        pool.MarkClean(Key(2, 7));
        Assert.That(pool.Stats.DirtyFrames, Is.EqualTo(3));
        Touch(pool, loader, 500);
        Assert.That(IsCached(pool, Key(2, 7)), Is.False, "a clean frame can be evicted again");
        pool.Verify();
    }

    [Test]
    public void Marking_and_creating_check_what_is_cached()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1);
        Assert.That(() => pool.PinNewVersion(Key(1)), Throws.InvalidOperationException, "a cached version cannot be created again");
        Assert.That(() => pool.MarkDirty(Key(2)), Throws.InvalidOperationException);
        pool.MarkClean(Key(2));
        pool.Remove(Key(2));
        Assert.That(() => pool.Pin(Key(1), null!), Throws.ArgumentNullException);
        Assert.That(() => pool.CopyDirtyKeys(null!), Throws.ArgumentNullException);
        Assert.That(pool.Stats.CachedPages, Is.EqualTo(1));
        pool.Verify();
    }

    [Test]
    public void Remove_of_a_pinned_page_detaches_it_and_its_frame_is_reused_after_the_last_unpin()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        PageHandle first = pool.Pin(Key(1), loader);
        PageHandle second = pool.Pin(Key(1), loader);
        pool.Remove(Key(1));
        pool.Verify();
        Assert.That(pool.TryPin(Key(1), out _), Is.False);
        Assert.That((pool.Stats.CachedPages, pool.Stats.PinnedFrames), Is.EqualTo((0, 1)));

        PageHandle[] others = [pool.Pin(Key(2), loader), pool.Pin(Key(3), loader), pool.Pin(Key(4), loader)];
        Assert.That(() => pool.Pin(Key(5), loader), Throws.InstanceOf<BufferPoolExhaustedException>(), "the detached frame is still in use");
        Assert.That(KeyStampLoader.HasStamp(Key(1), first.Data), Is.True, "a detached page keeps its bytes while pinned");

        first.Dispose();
        Assert.That(() => pool.Pin(Key(5), loader), Throws.InstanceOf<BufferPoolExhaustedException>(), "one handle is still open");
        second.Dispose();
        pool.Verify();
        using (PageHandle reused = pool.Pin(Key(5), loader))
            Assert.That(KeyStampLoader.HasStamp(Key(5), reused.Data), Is.True);
        Assert.That(pool.Stats.Evictions, Is.Zero, "the freed frame was taken, not a victim");
        foreach (PageHandle handle in others)
            handle.Dispose();
        pool.Verify();
    }

    [Test]
    public void Remove_drops_a_dirty_unpinned_version()
    {
        using BufferPool pool = NewPool(4);
        pool.PinNewVersion(Key(1, 3)).Dispose();
        pool.Remove(Key(1, 3));
        Assert.That(pool.Stats, Is.EqualTo(new BufferPoolStats(0, 0, 0, CachedPages: 0, PinnedFrames: 0, DirtyFrames: 0, FrameCount: 4)));
        var dirty = new List<PageKey>();
        pool.CopyDirtyKeys(dirty);
        Assert.That(dirty, Is.Empty);
        pool.Verify();
    }

    [Test]
    public void A_failed_load_leaves_nothing_cached_or_pinned_and_the_next_pin_retries()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader { FailNext = 1 };
        Assert.That(() => pool.Pin(Key(1), loader), Throws.InstanceOf<IOException>());
        pool.Verify();
        Assert.That((pool.Stats.CachedPages, pool.Stats.PinnedFrames), Is.EqualTo((0, 0)));
        Assert.That(pool.TryPin(Key(1), out _), Is.False);

        Touch(pool, loader, 1);
        Assert.That(loader.Calls, Is.EqualTo(2), "the second pin loaded again");
        Assert.That(pool.Stats.CachedPages, Is.EqualTo(1));
    }

    [Test]
    public void A_failed_load_into_an_evicted_frame_frees_the_frame()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1, 2, 3, 4);
        loader.FailNext = 1;
        Assert.That(() => pool.Pin(Key(5), loader), Throws.InstanceOf<IOException>());
        pool.Verify();
        Assert.That(pool.Stats, Is.EqualTo(new BufferPoolStats(0, Misses: 5, Evictions: 1, CachedPages: 3, PinnedFrames: 0, DirtyFrames: 0, FrameCount: 4)));
        Touch(pool, loader, 5);
        Assert.That(pool.Stats.Evictions, Is.EqualTo(1), "the freed frame is used before another victim");
    }

    [Test]
    public void Two_threads_missing_on_one_key_load_it_once()
    {
        using BufferPool pool = NewPool(4);
        using var gate = new ManualResetEventSlim();
        var loader = new KeyStampLoader { Gate = gate };
        Task<bool> first = OnOwnThread(() => PinAndCheck(pool, Key(1), loader));
        loader.Started.Wait();
        Task<bool> second = OnOwnThread(() => PinAndCheck(pool, Key(1), loader));
        SpinWait.SpinUntil(() => second.IsCompleted, 50); // the second waits for the first's load
        gate.Set();
        Assert.That(first.Result && second.Result, Is.True);
        Assert.That(loader.Calls, Is.EqualTo(1));
        Assert.That((pool.Stats.Misses, pool.Stats.Hits, pool.Stats.PinnedFrames), Is.EqualTo((1, 1, 0)));
        pool.Verify();
    }

    [Test]
    public void A_thread_waiting_on_a_load_that_fails_loads_the_page_itself()
    {
        using BufferPool pool = NewPool(4);
        using var gate = new ManualResetEventSlim();
        var loader = new KeyStampLoader { Gate = gate, FailNext = 1 };
        Task<bool> failing = OnOwnThread(() => PinAndCheck(pool, Key(1), loader));
        loader.Started.Wait();
        Task<bool> waiting = OnOwnThread(() => PinAndCheck(pool, Key(1), loader));
        SpinWait.SpinUntil(() => waiting.IsCompleted, 50);
        gate.Set();
        Assert.That(() => failing.Wait(), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<IOException>());
        Assert.That(waiting.Result, Is.True);
        Assert.That(loader.Calls, Is.EqualTo(2));
        Assert.That((pool.Stats.CachedPages, pool.Stats.PinnedFrames), Is.EqualTo((1, 0)));
        pool.Verify();
    }

    [Test]
    public void Eight_readers_and_a_verifying_remover_on_a_pool_smaller_than_the_working_set_always_see_the_right_page()
    {
        const int Frames = 32, Pages = 128, Readers = 8;
        int pinsPerReader = TestSeed.LongRun ? 500_000 : 20_000;
        int seed = TestSeed.Next();
        using BufferPool pool = NewPool(Frames);
        var loader = new KeyStampLoader { Slow = true };
        using var stop = new CancellationTokenSource();
        var readers = new Task<int>[Readers];
        for (int r = 0; r < Readers; r++)
        {
            int readerSeed = seed + r;
            readers[r] = OnOwnThread(() => ReadRandomPages(pool, loader, new Random(readerSeed), Pages, pinsPerReader));
        }
        Task remover = OnOwnThread(() => RemoveRandomPages(pool, new Random(seed - 1), Pages, stop.Token));
        Task.WaitAll(readers);
        stop.Cancel();
        remover.Wait();

        string where = TestSeed.Describe(seed);
        foreach (Task<int> reader in readers)
            Assert.That(reader.Result, Is.Zero, $"pages with the wrong bytes; {where}");
        BufferPoolStats stats = pool.Stats;
        Assert.That(stats.PinnedFrames, Is.Zero, where);
        Assert.That(stats.Hits + stats.Misses, Is.EqualTo((long)Readers * pinsPerReader * 3 / 2), where);
        Assert.That(stats.Misses, Is.EqualTo(loader.Calls), where);
        Assert.That(stats.CachedPages, Is.LessThanOrEqualTo(Frames), where);
        Assert.That(stats.Evictions, Is.Positive, where);
        pool.Verify();
    }

    [Test]
    public void A_hit_allocates_nothing()
    {
        using BufferPool pool = NewPool(4);
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1);
        for (int i = 0; i < 100; i++)
            pool.Pin(Key(1), loader).Dispose();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            pool.Pin(Key(1), loader).Dispose();
            if (pool.TryPin(Key(1), out PageHandle handle))
                handle.Dispose();
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Spare_frames_made_ahead_serve_new_versions_without_allocating()
    {
        const int Frames = 1000; // more than the spares (128 KiB of 256-byte pages: 512), so the pool still has room after them
        using BufferPool pool = NewPool(Frames);
        Assert.That(pool.NeedsSpareFrames, Is.True, "a new pool has no free frame and room to create them");
        pool.AddSpareFrames();
        Assert.That(pool.NeedsSpareFrames, Is.False);
        pool.Verify();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (uint page = 1; page <= 300; page++)
            pool.PinNewVersion(Key(page)).Dispose();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "new versions took the spare frames");
        Assert.That(pool.NeedsSpareFrames, Is.False, "212 spares left, above a quarter of them");
        for (uint page = 301; page <= 500; page++)
            pool.PinNewVersion(Key(page)).Dispose();
        Assert.That(pool.NeedsSpareFrames, Is.True, "12 spares left");
        for (uint page = 1; page <= 500; page++)
            Assert.That(IsCached(pool, Key(page)), Is.True, $"page {page}");
        pool.Verify();
    }

    [Test]
    public void Spare_frames_never_pass_the_frame_count()
    {
        using BufferPool pool = NewPool(10);
        pool.AddSpareFrames();
        Assert.That(pool.NeedsSpareFrames, Is.False, "every frame is created");
        var loader = new KeyStampLoader();
        Touch(pool, loader, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        Assert.That(pool.Stats.Evictions, Is.EqualTo(2), "ten frames, twelve pages");
        pool.AddSpareFrames();
        pool.Verify();
    }

    /// <summary>Pins random pages, every other time holding a second one; returns how many had the wrong bytes.</summary>
    private static int ReadRandomPages(BufferPool pool, KeyStampLoader loader, Random random, int pages, int pins)
    {
        int wrong = 0;
        for (int i = 0; i < pins; i++)
        {
            PageKey key = Key((uint)random.Next(pages));
            using PageHandle handle = pool.Pin(key, loader);
            if (!KeyStampLoader.HasStamp(key, handle.Data))
                wrong++;
            if (i % 2 == 0)
                continue;
            PageKey other = Key((uint)random.Next(pages));
            using PageHandle second = pool.Pin(other, loader);
            if (!KeyStampLoader.HasStamp(other, second.Data) || !KeyStampLoader.HasStamp(key, handle.Data))
                wrong++;
        }
        return wrong;
    }

    /// <summary>Removes random pages (pinned or loading ones too), checking the pool's invariants between removes.</summary>
    private static void RemoveRandomPages(BufferPool pool, Random random, int pages, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            pool.Remove(Key((uint)random.Next(pages)));
            pool.Verify();
            Thread.Yield();
        }
    }

    private static bool PinAndCheck(BufferPool pool, PageKey key, IPageLoader loader)
    {
        using PageHandle handle = pool.Pin(key, loader);
        return KeyStampLoader.HasStamp(key, handle.Data);
    }

    /// <summary>Runs on a dedicated thread: these tests block threads, and the thread pool may be slow to add one.</summary>
    private static Task<T> OnOwnThread<T>(Func<T> function) =>
        Task.Factory.StartNew(function, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task OnOwnThread(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [Test]
    public void Rename_turns_a_dirty_private_version_into_a_clean_cached_one_under_its_new_key()
    {
        using BufferPool pool = NewPool(4);
        using (PageHandle fresh = pool.PinNewVersion(Key(1, version: 99)))
            fresh.Writable[0] = 42;
        pool.Rename(Key(1, version: 99), Key(1, version: 7));
        Assert.That(IsCached(pool, Key(1, version: 99)), Is.False);
        Assert.That(pool.TryPin(Key(1, version: 7), out PageHandle renamed), Is.True);
        using (renamed)
            Assert.That(renamed.Data[0], Is.EqualTo(42));
        Assert.That(pool.Stats.DirtyFrames, Is.Zero);
        pool.Verify();
        pool.Rename(Key(5, version: 1), Key(5, version: 2)); // not cached: nothing happens
        pool.Verify();
    }
}
