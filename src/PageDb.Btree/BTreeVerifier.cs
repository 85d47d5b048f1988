using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// Proves a tree's structure, like bbolt's tx_check: walks every page from the root and checks
/// 1. every page is a B+tree page of the right kind, reached once, and passes its slotted-page Verify;
/// 2. every cell parses, leaf cells follow the local rule, and keys increase strictly within each page;
/// 3. every key lies within its separators (left separator &lt;= key &lt; right separator), and separators increase;
/// 4. every leaf is at the same depth, no non-root leaf is empty, no page links deeper than 64 levels;
/// 5. only the root records an entry count, reserved header bytes are zero, and the count matches the leaves;
/// 6. overflow chains are well formed and reached once.
/// It reports problems rather than stopping at the first, and returns the pages it reached.
/// </summary>
internal static class BTreeVerifier
{
    /// <summary>Checks the tree rooted at <paramref name="root"/>; never throws for a damaged tree.</summary>
    public static BTreeVerification Verify(IPageAccessor pages, PageNumber root)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var walk = new Walk(pages, new BTreeVerification());
        walk.Visit(root, level: 0, low: null, high: null);
        BTreeVerification result = walk.Result;
        if (result.EntryCount != result.RecordedEntryCount)
            result.AddProblem(root, $"root records {result.RecordedEntryCount} entries but the leaves hold {result.EntryCount}");
        return result;
    }

    /// <summary>Checks the tree and throws <see cref="CorruptDatabaseException"/> listing the problems, for tests.</summary>
    public static BTreeVerification VerifyOrThrow(IPageAccessor pages, PageNumber root)
    {
        BTreeVerification result = Verify(pages, root);
        result.ThrowIfInvalid(pages.FilePath);
        return result;
    }

    private sealed class Walk(IPageAccessor pages, BTreeVerification result)
    {
        private readonly int _capacity = NodeHeader.Capacity(pages.PageSize);
        private int _leafLevel = -1;

        public BTreeVerification Result => result;

        public void Visit(PageNumber page, int level, byte[]? low, byte[]? high)
        {
            if (!result.MarkReached(page))
            {
                result.AddProblem(page, "reached twice (two links point at it)");
                return;
            }
            try
            {
                using PageHandle handle = pages.Read(page);
                if (!CheckPage(handle, page, level))
                    return;
                var reader = new SlottedPageReader(handle.Data, pages.FilePath);
                if (handle.Type == PageType.BtreeLeaf)
                    VisitLeaf(reader, page, level, low, high);
                else
                    VisitInterior(reader, page, level, low, high);
            }
            catch (CorruptDatabaseException e)
            {
                result.AddProblem(page, e.Message);
            }
        }

        private bool CheckPage(PageHandle handle, PageNumber page, int level)
        {
            PageType type = handle.Type;
            if (!NodeHeader.IsNodeType(type))
            {
                result.AddProblem(page, $"page type {type} is not a B+tree page");
                return false;
            }
            var reader = new SlottedPageReader(handle.Data, pages.FilePath);
            reader.Verify(page, pages.FilePath);
            ReadOnlySpan<byte> header = reader.UserHeader;
            if (header.Slice(NodeHeader.ReservedOffset, 4).IndexOfAnyExcept((byte)0) >= 0)
                result.AddProblem(page, "reserved user-header bytes are not zero");
            long count = NodeHeader.GetEntryCount(header);
            if (level == 0)
                result.RecordedEntryCount = count;
            else if (count != 0)
                result.AddProblem(page, "a non-root page records an entry count");
            if (type == PageType.BtreeLeaf && !NodeHeader.GetRightmostChild(header).IsNone)
                result.AddProblem(page, "a leaf records a rightmost child");
            return CheckLevel(type, page, level);
        }

        private bool CheckLevel(PageType type, PageNumber page, int level)
        {
            if (type == PageType.BtreeLeaf)
            {
                if (_leafLevel < 0)
                    _leafLevel = level;
                if (_leafLevel != level)
                    result.AddProblem(page, $"leaf at depth {level + 1}, other leaves at depth {_leafLevel + 1}");
                result.Depth = Math.Max(result.Depth, level + 1);
                return true;
            }
            if ((_leafLevel >= 0 && level >= _leafLevel) || level >= NodeHeader.MaxDepth)
            {
                result.AddProblem(page, $"interior page at depth {level + 1}, at or below the leaves");
                return false;
            }
            return true;
        }

        private void VisitLeaf(SlottedPageReader reader, PageNumber page, int level, byte[]? low, byte[]? high)
        {
            result.LeafPages++;
            result.LeafBytesUsed += reader.UsedSpace;
            result.LeafBytesCapacity += _capacity;
            if (level > 0 && reader.CellCount == 0)
                result.AddProblem(page, "empty leaf below the root");
            ReadOnlySpan<byte> previous = default;
            for (int i = 0; i < reader.CellCount; i++)
            {
                ReadOnlySpan<byte> bytes = reader.GetCell(i);
                LeafCell cell = LeafCell.Read(bytes, LeafCell.FormatOf(pages), page, pages.FilePath);
                CheckKeyOrder(page, i, previous, cell.Key, low, high);
                previous = cell.Key;
                if (bytes.Length != LeafCell.Length(LeafCell.FormatOf(pages), pages.PageSize, cell.Key.Length, cell.ValueLength))
                    result.AddProblem(page, $"cell {i} does not follow the local/overflow rule");
                if (cell.HasOverflow)
                    VisitChain(page, cell.OverflowPage, cell.ChainOwner, cell.ValueLength - cell.LocalValue.Length);
                result.EntryCount++;
            }
        }

        private void CheckKeyOrder(PageNumber page, int index, ReadOnlySpan<byte> previous, ReadOnlySpan<byte> key, byte[]? low, byte[]? high)
        {
            if (index > 0 && KeyComparer.Compare(previous, key) >= 0)
                result.AddProblem(page, $"key {index} is not greater than key {index - 1}");
            if (low is not null && KeyComparer.Compare(key, low) < 0)
                result.AddProblem(page, $"key {index} is below its left separator");
            if (high is not null && KeyComparer.Compare(key, high) >= 0)
                result.AddProblem(page, $"key {index} is not below its right separator");
        }

        private void VisitChain(PageNumber leaf, PageNumber first, uint owner, int overflowLength)
        {
            var chain = new List<PageNumber>();
            try
            {
                OverflowChain.CollectPages(pages, first, owner, chain);
                long stored = 0;
                foreach (PageNumber overflow in chain)
                {
                    using PageHandle handle = pages.Read(overflow);
                    stored += OverflowPage.GetData(handle.Data, overflow, pages.FilePath).Length;
                }
                if (stored != overflowLength)
                    result.AddProblem(leaf, $"an overflow chain holds {stored} bytes of a value whose cell says {overflowLength}");
            }
            catch (CorruptDatabaseException e)
            {
                result.AddProblem(leaf, "overflow chain: " + e.Message);
            }
            foreach (PageNumber overflow in chain)
            {
                result.OverflowPages++;
                if (!result.MarkReached(overflow))
                    result.AddProblem(overflow, $"overflow page reached twice (again from leaf {leaf})");
            }
        }

        private void VisitInterior(SlottedPageReader reader, PageNumber page, int level, byte[]? low, byte[]? high)
        {
            result.InteriorPages++;
            result.InteriorBytesUsed += reader.UsedSpace;
            result.InteriorBytesCapacity += _capacity;
            int count = reader.CellCount;
            var separators = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                separators[i] = InteriorCell.Read(reader.GetCell(i), page, pages.FilePath).Key.ToArray();
                CheckSeparator(page, i, separators, low, high);
            }
            var children = new PageNumber[count + 1];
            for (int i = 0; i <= count; i++)
                children[i] = NodeSearch.ChildAt(reader, i, page, pages.FilePath);
            for (int i = 0; i <= count; i++)
                Visit(children[i], level + 1, i == 0 ? low : separators[i - 1], i == count ? high : separators[i]);
        }

        private void CheckSeparator(PageNumber page, int index, byte[][] separators, byte[]? low, byte[]? high)
        {
            byte[] separator = separators[index];
            if (index > 0 && KeyComparer.Compare(separators[index - 1], separator) >= 0)
                result.AddProblem(page, $"separator {index} is not greater than separator {index - 1}");
            if (low is not null && KeyComparer.Compare(separator, low) <= 0)
                result.AddProblem(page, $"separator {index} is not above the page's left bound");
            if (high is not null && KeyComparer.Compare(separator, high) >= 0)
                result.AddProblem(page, $"separator {index} is not below the page's right bound");
        }
    }
}
