using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>
/// What <see cref="BTreeVerifier"/> found: the problems (each naming its page), every page the tree reaches (tree
/// pages and overflow chains, so a caller can prove no page is lost), and shape figures (depth, counts, fill).
/// </summary>
internal sealed class BTreeVerification
{
    private readonly List<BTreeProblem> _problems = [];
    private readonly HashSet<PageNumber> _pagesReached = [];

    /// <summary>True when no problem was found.</summary>
    public bool IsOk => _problems.Count == 0;

    /// <summary>The problems found, each naming the page it concerns.</summary>
    public IReadOnlyList<BTreeProblem> Problems => _problems;

    /// <summary>Every page reached: tree pages and overflow pages.</summary>
    public IReadOnlySet<PageNumber> PagesReached => _pagesReached;

    /// <summary>Levels from the root to the leaves (1 for a tree that is a single leaf).</summary>
    public int Depth { get; internal set; }

    /// <summary>Entries counted in the leaves.</summary>
    public long EntryCount { get; internal set; }

    /// <summary>Entries the root's header records.</summary>
    public long RecordedEntryCount { get; internal set; }

    /// <summary>Leaf pages reached.</summary>
    public int LeafPages { get; internal set; }

    /// <summary>Interior pages reached.</summary>
    public int InteriorPages { get; internal set; }

    /// <summary>Overflow pages reached.</summary>
    public int OverflowPages { get; internal set; }

    /// <summary>Bytes of cells and pointers on leaf pages.</summary>
    public long LeafBytesUsed { get; internal set; }

    /// <summary>Bytes of cells and pointers on interior pages.</summary>
    public long InteriorBytesUsed { get; internal set; }

    /// <summary>Bytes leaf pages could hold (pages × cell area).</summary>
    public long LeafBytesCapacity { get; internal set; }

    /// <summary>Bytes interior pages could hold.</summary>
    public long InteriorBytesCapacity { get; internal set; }

    /// <summary>How full the leaves are, 0..1: used cell area over available cell area.</summary>
    public double LeafFill => LeafBytesCapacity == 0 ? 0 : (double)LeafBytesUsed / LeafBytesCapacity;

    /// <summary>How full the interior pages are, 0..1.</summary>
    public double InteriorFill => InteriorBytesCapacity == 0 ? 0 : (double)InteriorBytesUsed / InteriorBytesCapacity;

    /// <summary>Throws <see cref="CorruptDatabaseException"/> listing every problem, when there is any.</summary>
    public void ThrowIfInvalid(string filePath)
    {
        if (!IsOk)
            ThrowHelper.ThrowCorrupt(filePath, "B+tree check failed: " + string.Join("; ", _problems));
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{(IsOk ? "ok" : $"{_problems.Count} problems")}: depth {Depth}, {EntryCount} entries, {LeafPages} leaves ({LeafFill:P1} full), {InteriorPages} interior ({InteriorFill:P1} full), {OverflowPages} overflow");

    internal void AddProblem(PageNumber page, string detail) => _problems.Add(new BTreeProblem(page, detail));

    internal bool MarkReached(PageNumber page) => _pagesReached.Add(page);
}

/// <summary>One thing <see cref="BTreeVerifier"/> found wrong.</summary>
/// <param name="Page">The page at fault.</param>
/// <param name="Detail">What is wrong with it.</param>
internal sealed record BTreeProblem(PageNumber Page, string Detail)
{
    /// <inheritdoc/>
    public override string ToString() => $"page {Page}: {Detail}";
}
