using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>
/// Counts a snapshot's pages by what they hold and how full its B+tree pages are, for
/// <see cref="PageDatabase.GetStats"/>. Reads every page once.
/// </summary>
internal sealed class PageCensus
{
    /// <summary>The name pages listed on the free list are counted under (their bytes are left over from an earlier life).</summary>
    public const string FreeName = "Free";

    /// <summary>The name of pages whose bytes fail their checks.</summary>
    public const string UnreadableName = "Unreadable";

    /// <summary>Buckets of <see cref="FillHistogram"/>: bucket i holds pages at least i/10 and under (i+1)/10 full.</summary>
    public const int FillBuckets = 10;

    private PageCensus(Dictionary<string, long> countsByType, long[] fillHistogram)
    {
        CountsByType = countsByType;
        FillHistogram = fillHistogram;
    }

    /// <summary>Pages per type name; free-list trunks and entries count as <see cref="FreeName"/>.</summary>
    public Dictionary<string, long> CountsByType { get; }

    /// <summary>B+tree pages (leaves and interior) by how full they are, in <see cref="FillBuckets"/> tenths.</summary>
    public long[] FillHistogram { get; }

    public static PageCensus Take(SnapshotPages pages)
    {
        var freeEntries = new HashSet<uint>();
        var freeList = new List<PageNumber>();
        FreePageList.CollectPages(pages, freeList);
        foreach (PageNumber page in freeList)
            freeEntries.Add(page.Value);
        var census = new PageCensus([], new long[FillBuckets]);
        for (uint n = 0; n < pages.PageCount; n++)
        {
            if (freeEntries.Contains(n))
                census.Count(FreeName);
            else
                census.Inspect(pages, new PageNumber(n));
        }
        return census;
    }

    private void Inspect(SnapshotPages pages, PageNumber page)
    {
        try
        {
            using PageHandle handle = pages.Read(page);
            PageType type = handle.Type;
            Count(type == PageType.FreeListTrunk ? FreeName : type.ToString());
            if (type is PageType.BtreeLeaf or PageType.BtreeInterior)
                FillHistogram[FillBucket(new SlottedPageReader(handle.Data, pages.FilePath))]++;
        }
        catch (CorruptDatabaseException)
        {
            Count(UnreadableName);
        }
    }

    private void Count(string typeName) => CountsByType[typeName] = CountsByType.GetValueOrDefault(typeName) + 1;

    /// <summary>Used over usable bytes (cells, pointers and free space after the page's fixed headers), in tenths.</summary>
    private static int FillBucket(SlottedPageReader page)
    {
        int usable = page.UsedSpace + page.FreeSpace;
        return usable == 0 ? 0 : Math.Min(FillBuckets - 1, page.UsedSpace * FillBuckets / usable);
    }
}
