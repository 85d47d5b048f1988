using System.Buffers.Binary;
using NUnit.Framework;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

public class BufferPoolTests
{
    private const int PageSize = 4096;

    [Test]
    public void A_hit_returns_the_cached_bytes_without_loading_again()
    {
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 8 * PageSize);
        using (PageHandle first = pool.Pin(Key(1), loader))
            Assert.That(ReadKey(first), Is.EqualTo(1));
        using (PageHandle again = pool.Pin(Key(1), loader))
            Assert.That(ReadKey(again), Is.EqualTo(1));
        Assert.That(loader.Loads, Is.EqualTo(1));
        Assert.That(pool.Stats.Hits, Is.EqualTo(1));
        Assert.That(pool.Stats.Misses, Is.EqualTo(1));
        pool.Verify();
    }

    [Test]
    public void Probation_is_evicted_first_in_arrival_order_and_a_second_access_protects()
    {
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        Touch(pool, loader, 1, 2, 3, 4);
        Touch(pool, loader, 2);          // page 2 moves to the protected queue
        Touch(pool, loader, 5);          // probation holds 1, 3, 4: the oldest, 1, goes
        Assert.That(pool.TryPin(Key(1), out _), Is.False);
        Touch(pool, loader, 6);          // then 3
        Assert.That(pool.TryPin(Key(3), out _), Is.False);
        Assert.That(IsCached(pool, 2), Is.True, "the page accessed twice survives");
        Assert.That(pool.Stats.Evictions, Is.EqualTo(2));
        pool.Verify();
    }

    [Test]
    public void A_scan_ten_times_the_pool_leaves_the_hot_set_cached()
    {
        var loader = new KeyWritingLoader();
        const int Frames = 100;
        using var pool = new BufferPool(PageSize, Frames * PageSize);
        int[] hot = Enumerable.Range(0, 20).ToArray();
        for (int round = 0; round < 3; round++)
            Touch(pool, loader, hot);
        for (int page = 1000; page < 1000 + (10 * Frames); page++)
        {
            Touch(pool, loader, page);
            if (page % 50 == 0)
                Touch(pool, loader, hot); // the hot set stays in use while the scan runs
        }
        long missesBefore = pool.Stats.Misses;
        Touch(pool, loader, hot);
        Assert.That(pool.Stats.Misses, Is.EqualTo(missesBefore), "every hot page was still cached after the scan");
        pool.Verify();
    }

    [Test]
    public void The_protected_set_survives_a_scan_with_no_hot_accesses_during_it()
    {
        // A scan longer than the pool pushes everything out of a plain LRU; 2Q takes victims from probation
        // while it holds more than a quarter of the frames, so pages accessed twice stay.
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 100 * PageSize);
        Touch(pool, loader, Enumerable.Range(0, 20).ToArray());
        Touch(pool, loader, Enumerable.Range(0, 20).ToArray());
        for (int page = 1000; page < 2000; page++)
            Touch(pool, loader, page);
        int survivors = Enumerable.Range(0, 20).Count(page => IsCached(pool, page));
        Assert.That(survivors, Is.EqualTo(20));
    }

    [Test]
    public void When_every_frame_is_pinned_a_pin_fails_clearly_and_recovers_after_release()
    {
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        var held = Enumerable.Range(0, 4).Select(i => pool.Pin(Key(i), loader)).ToList();
        Assert.Throws<BufferPoolExhaustedException>(() => pool.Pin(Key(99), loader));
        Assert.Throws<BufferPoolExhaustedException>(() => pool.PinNewVersion(Key(98)));
        held[0].Dispose();
        using (PageHandle handle = pool.Pin(Key(99), loader))
            Assert.That(ReadKey(handle), Is.EqualTo(99));
        foreach (PageHandle handle in held.Skip(1))
            handle.Dispose();
        Assert.That(pool.Stats.PinnedFrames, Is.Zero);
        pool.Verify();
    }

    [Test]
    public void Dirty_frames_are_never_evicted_until_marked_clean()
    {
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        for (int i = 0; i < 3; i++)
        {
            using PageHandle fresh = pool.PinNewVersion(Key(100 + i));
            fresh.Writable[0] = (byte)i;
        }
        Touch(pool, loader, 1);
        Assert.Throws<BufferPoolExhaustedException>(() =>
        {
            using PageHandle a = pool.Pin(Key(2), loader);
            using PageHandle b = pool.Pin(Key(3), loader);
        });
        for (int i = 0; i < 3; i++)
            Assert.That(IsCached(pool, 100 + i), Is.True, "dirty frames survive the pressure");
        pool.MarkClean(Key(100));
        Touch(pool, loader, 2, 3);
        Assert.That(pool.Stats.DirtyFrames, Is.EqualTo(2));
        pool.Verify();
    }

    [Test]
    public void Removing_a_pinned_frame_detaches_it_until_its_last_handle_goes()
    {
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        PageHandle held = pool.Pin(Key(1), loader);
        pool.Remove(Key(1));
        Assert.That(pool.TryPin(Key(1), out _), Is.False, "a removed version cannot be found again");
        Assert.That(ReadKey(held), Is.EqualTo(1), "the holder still sees its bytes");
        var others = new[] { 2, 3, 4 }.Select(page => pool.Pin(Key(page), loader)).ToList();
        Assert.Throws<BufferPoolExhaustedException>(() => pool.PinNewVersion(Key(5)), "the detached frame is still pinned, not free");
        held.Dispose();
        using (PageHandle reused = pool.PinNewVersion(Key(5)))
            Assert.That(reused.Number.Value, Is.EqualTo(5u), "the detached frame was reused once released");
        foreach (PageHandle handle in others)
            handle.Dispose();
        pool.Verify();
        Assert.That(pool.Stats.PinnedFrames, Is.Zero);
    }

    [Test]
    public void A_failed_load_leaves_nothing_cached_or_pinned_and_a_retry_loads_again()
    {
        var loader = new KeyWritingLoader { FailNext = true };
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        Assert.Throws<CorruptDatabaseException>(() => pool.Pin(Key(7), loader));
        Assert.That(pool.Stats.CachedPages, Is.Zero);
        Assert.That(pool.Stats.PinnedFrames, Is.Zero);
        using (PageHandle handle = pool.Pin(Key(7), loader))
            Assert.That(ReadKey(handle), Is.EqualTo(7));
        pool.Verify();
    }

    [Test]
    public void Threads_missing_on_the_same_key_load_it_once()
    {
        var loader = new KeyWritingLoader { Delay = TimeSpan.FromMilliseconds(50) };
        using var pool = new BufferPool(PageSize, 16 * PageSize);
        var threads = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
        {
            using PageHandle handle = pool.Pin(Key(42), loader);
            return ReadKey(handle);
        })).ToArray();
        Task.WaitAll(threads);
        Assert.That(threads.Select(t => t.Result), Is.All.EqualTo(42));
        Assert.That(loader.Loads, Is.EqualTo(1));
        pool.Verify();
    }

    [Test]
    public void Eight_reader_threads_on_a_pool_smaller_than_the_working_set_see_only_the_right_bytes()
    {
        int seed = TestSeed.Next();
        var loader = new KeyWritingLoader();
        using var pool = new BufferPool(PageSize, 64 * PageSize);
        int failures = 0;
        var threads = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            var rng = new Random(seed + t);
            for (int i = 0; i < 20_000; i++)
            {
                int page = rng.Next(4) == 0 ? rng.Next(500) : rng.Next(16);
                using PageHandle handle = pool.Pin(Key(page), loader);
                if (ReadKey(handle) != page || handle.Number.Value != (uint)page)
                    Interlocked.Increment(ref failures);
            }
        })).ToArray();
        Task.WaitAll(threads);
        Assert.That(failures, Is.Zero, TestSeed.Describe(seed));
        BufferPoolStats stats = pool.Stats;
        Assert.That(stats.PinnedFrames, Is.Zero);
        Assert.That(stats.Hits + stats.Misses, Is.EqualTo(8 * 20_000));
        Assert.That(stats.Evictions, Is.GreaterThan(0));
        pool.Verify();
    }

    private static PageKey Key(int page) => PageKey.FromFile(new PageNumber((uint)page));

    private static int ReadKey(PageHandle handle) => BinaryPrimitives.ReadInt32LittleEndian(handle.Data[100..]);

    private static bool IsCached(BufferPool pool, int page)
    {
        if (!pool.TryPin(Key(page), out PageHandle handle))
            return false;
        handle.Dispose();
        return true;
    }

    private static void Touch(BufferPool pool, IPageLoader loader, params int[] pages)
    {
        foreach (int page in pages)
            pool.Pin(Key(page), loader).Dispose();
    }

    /// <summary>Writes the page number into the page, so readers can check they got the right version.</summary>
    private sealed class KeyWritingLoader : IPageLoader
    {
        private int _loads;

        public int Loads => _loads;

        public bool FailNext { get; set; }

        public TimeSpan Delay { get; init; }

        public void Load(PageKey key, Span<byte> destination)
        {
            Interlocked.Increment(ref _loads);
            if (Delay > TimeSpan.Zero)
                Thread.Sleep(Delay);
            if (FailNext)
            {
                FailNext = false;
                throw new CorruptDatabaseException("test", key.Page.Value, "injected load failure");
            }
            destination.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(destination[100..], (int)key.Page.Value);
        }
    }
}
