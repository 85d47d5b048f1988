using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Core.Tests.Bugs;

/// <summary>
/// Found by PagerTests.Randomized_allocate_free_and_reopen_lose_no_page_and_keep_every_byte: a page allocated by growing
/// the file and freed (as a free-list entry) before any flush was never written, so the header counted a page the file
/// did not have, and reopening reported the file as truncated. Flush now extends the file to the page count.
/// </summary>
[TestFixture]
public sealed class PagerTailPageFreedBeforeFlushTests
{
    [Test]
    public void A_grown_page_freed_before_the_flush_still_exists_after_reopen()
    {
        var storage = new MemoryStorage();
        const string Path = "/mem/bug.pagedb";
        using (Pager pager = Pager.Open(storage, Path, StorageOpenMode.CreateIfMissing))
        {
            pager.Allocate(PageType.Overflow).Dispose(); // page 1
            pager.Allocate(PageType.Overflow).Dispose(); // page 2
            pager.Flush();
            pager.Allocate(PageType.Overflow).Dispose(); // page 3: grows the file, not yet written
            pager.Free(new PageNumber(1));                // becomes the (empty) trunk
            pager.Free(new PageNumber(3));                // an entry on it: its bytes are dropped, never written
            pager.Flush();
        }
        Assert.That(storage.GetContents(Path), Has.Length.EqualTo(4 * 4096));
        using Pager reopened = Pager.Open(storage, Path, StorageOpenMode.ReadWrite);
        Assert.That(reopened.PageCount, Is.EqualTo(4));
        Assert.That(FreePageList.CollectPages(reopened, new List<PageNumber>()), Is.EqualTo(2));
    }
}
