using NUnit.Framework;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Core.Tests.Bugs;

/// <summary>
/// Found by reading BufferPool while writing its tests: Remove (and MarkDirty) did not wait for a load in progress.
/// Remove detached the loading frame, but the load's completion then put the detached frame into the replacer, so it
/// was freed while still tracked (later promoted or evicted under a key it no longer held); and a failed load removed
/// the key from the map even when a newer frame had been loaded under it since, leaving that frame unreachable.
/// Remove, MarkDirty and MarkClean now wait for the load to finish, as a pin of the same key already did.
/// </summary>
[TestFixture]
public sealed class BufferPoolRemoveDuringLoadTests
{
    private const int PageSize = 256;
    private static readonly PageKey Key = PageKey.FromFile(new PageNumber(7));

    [Test]
    public void A_version_removed_while_loading_is_not_tracked_after_its_last_unpin()
    {
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        using var gate = new ManualResetEventSlim();
        var loader = new KeyStampLoader { Gate = gate };
        Task<bool> pin = OnOwnThread(() => PinAndCheck(pool, loader));
        loader.Started.Wait();
        Task remove = OnOwnThread(() => pool.Remove(Key));
        SpinWait.SpinUntil(() => remove.IsCompleted, 50); // the bug let Remove finish here; the fix makes it wait
        gate.Set();
        Assert.That(pin.Result, Is.True, "the pinned page keeps its bytes");
        remove.Wait();

        pool.Verify();
        Assert.That(pool.TryPin(Key, out _), Is.False);
        Assert.That(pool.Stats.CachedPages, Is.Zero);
    }

    [Test]
    public void A_failed_load_does_not_drop_a_version_loaded_again_after_a_remove()
    {
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        using var gate = new ManualResetEventSlim();
        var slowFailing = new KeyStampLoader { Gate = gate, FailNext = 1 };
        Task failing = OnOwnThread(() => pool.Pin(Key, slowFailing).Dispose());
        slowFailing.Started.Wait();
        Task remove = OnOwnThread(() => pool.Remove(Key));
        SpinWait.SpinUntil(() => remove.IsCompleted, 50);
        Task<bool> again = OnOwnThread(() => PinAndCheck(pool, new KeyStampLoader()));
        SpinWait.SpinUntil(() => again.IsCompleted, 50);
        gate.Set();
        Assert.That(() => failing.Wait(), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<IOException>());
        Assert.That(again.Result, Is.True);
        remove.Wait();

        // The remove and the second load both waited for the failed one; either may go first, but the pool must
        // agree with itself: the bug left the second load's frame unmapped yet tracked, and the key gone.
        pool.Verify();
        bool cached = pool.TryPin(Key, out var handle);
        if (cached)
            handle.Dispose();
        Assert.That(pool.Stats.CachedPages, Is.EqualTo(cached ? 1 : 0));
        pool.Verify();
    }

    [Test]
    public void MarkDirty_during_a_load_that_fails_leaves_no_dirty_frame_counted()
    {
        using var pool = new BufferPool(PageSize, 4 * PageSize);
        using var gate = new ManualResetEventSlim();
        var loader = new KeyStampLoader { Gate = gate, FailNext = 1 };
        Task failing = OnOwnThread(() => pool.Pin(Key, loader).Dispose());
        loader.Started.Wait();
        Task markDirty = OnOwnThread(() => pool.MarkDirty(Key));
        SpinWait.SpinUntil(() => markDirty.IsCompleted, 50);
        gate.Set();
        Assert.That(() => failing.Wait(), Throws.InstanceOf<AggregateException>());
        Assert.That(() => markDirty.Wait(), Throws.InstanceOf<AggregateException>().With.InnerException.InstanceOf<InvalidOperationException>(),
            "the version never got cached, so there is nothing to mark");

        pool.Verify();
        Assert.That(pool.Stats.DirtyFrames, Is.Zero);
        Assert.That(pool.Stats.PinnedFrames, Is.Zero);
    }

    /// <summary>Runs on a dedicated thread: these tests block threads, and the thread pool may be slow to add one.</summary>
    private static Task OnOwnThread(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task<T> OnOwnThread<T>(Func<T> function) =>
        Task.Factory.StartNew(function, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static bool PinAndCheck(BufferPool pool, KeyStampLoader loader)
    {
        using var handle = pool.Pin(Key, loader);
        return KeyStampLoader.HasStamp(Key, handle.Data);
    }
}
