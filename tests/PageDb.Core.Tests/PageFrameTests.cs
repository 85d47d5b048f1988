using NUnit.Framework;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

/// <summary>
/// <see cref="PageFrame.KeyOrderChecked"/>: a cached page keeps the B+tree's key-order check across pins, and forgets
/// it when its frame is loaded again (after an eviction) or handed out for writing, so bytes from disk or a changed
/// page are always checked before a walk trusts them.
/// </summary>
[TestFixture]
public sealed class PageFrameTests
{
    private const int PageSize = 256;

    private static PageKey Key(uint page) => new(new PageNumber(page), 0);

    [Test]
    public void A_key_order_check_lasts_while_the_page_stays_cached_and_unwritten()
    {
        using var pool = new BufferPool(PageSize, 4L * PageSize);
        var loader = new KeyStampLoader();
        using (PageHandle handle = pool.Pin(Key(1), loader))
        {
            Assert.That(handle.KeyOrderChecked, Is.False, "a page just loaded is unchecked");
            handle.MarkKeyOrderChecked();
        }
        using (PageHandle handle = pool.Pin(Key(1), loader))
            Assert.That(handle.KeyOrderChecked, Is.True, "a hit keeps the check");
        using (PageHandle handle = pool.Pin(Key(1), loader, forWriting: true))
            Assert.That(handle.KeyOrderChecked, Is.False, "a page handed out for writing may change");
    }

    [Test]
    public void A_page_loaded_again_after_eviction_is_unchecked()
    {
        using var pool = new BufferPool(PageSize, 4L * PageSize);
        var loader = new KeyStampLoader();
        using (PageHandle handle = pool.Pin(Key(1), loader))
            handle.MarkKeyOrderChecked();
        for (uint page = 2; page <= 12; page++)
        {
            using (pool.Pin(Key(page), loader))
            {
            }
        }
        Assert.That(pool.TryPin(Key(1), out _), Is.False, "page 1 was evicted");
        using (PageHandle handle = pool.Pin(Key(1), loader))
            Assert.That(handle.KeyOrderChecked, Is.False, "the frame that takes page 1 again forgets any check");
    }
}
