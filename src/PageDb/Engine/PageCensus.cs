using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>Counts a snapshot's pages by what they hold, for <see cref="PageDatabase.GetStats"/>. Reads every page once.</summary>
internal static class PageCensus
{
    /// <summary>The name pages listed on the free list are counted under (their bytes are left over from an earlier life).</summary>
    public const string FreeName = "Free";

    /// <summary>The name of pages whose bytes fail their checks.</summary>
    public const string UnreadableName = "Unreadable";

    public static Dictionary<string, long> CountByType(SnapshotPages pages)
    {
        var freeEntries = new HashSet<uint>();
        var freeList = new List<PageNumber>();
        FreePageList.CollectPages(pages, freeList);
        foreach (PageNumber page in freeList)
            freeEntries.Add(page.Value);
        var counts = new Dictionary<string, long>();
        for (uint n = 0; n < pages.PageCount; n++)
        {
            string name = freeEntries.Contains(n) ? FreeName : TypeName(pages, new PageNumber(n));
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        return counts;
    }

    private static string TypeName(SnapshotPages pages, PageNumber page)
    {
        try
        {
            using PageHandle handle = pages.Read(page);
            PageType type = handle.Type;
            return type == PageType.FreeListTrunk ? FreeName : type.ToString();
        }
        catch (CorruptDatabaseException)
        {
            return UnreadableName;
        }
    }
}
