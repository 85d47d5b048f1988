using PageDb.Btree;
using PageDb.Core.Pages;

namespace PageDb.Salvage;

/// <summary>
/// The pages one tree reaches from its root, read as far as they can be: its leaves, and its holes (a child link to a
/// page that is unreadable or not a tree page) with the key range the missing subtree covered, so that leaves no
/// tree reaches can be given back to the tree whose hole they fit. Never descends deeper than
/// <see cref="NodeHeader.MaxDepth"/> or into a page already reached.
/// </summary>
internal sealed class TreeWalk
{
    private readonly SalvagePages _pages;
    private readonly HashSet<uint> _reached;

    private TreeWalk(SalvagePages pages, HashSet<uint> reached)
    {
        _pages = pages;
        _reached = reached;
    }

    /// <summary>The readable leaves reached, left to right.</summary>
    public List<PageNumber> Leaves { get; } = [];

    /// <summary>The subtrees that could not be read: [Low, High) of keys (null = unbounded).</summary>
    public List<(byte[]? Low, byte[]? High)> Holes { get; } = [];

    /// <summary>What could not be read, one line per page.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Walks the tree at <paramref name="root"/>; <paramref name="reached"/> collects every page reached, across walks.</summary>
    public static TreeWalk Run(SalvagePages pages, PageNumber root, HashSet<uint> reached)
    {
        var walk = new TreeWalk(pages, reached);
        walk.Visit(root, null, null, depth: 0);
        return walk;
    }

    private void Visit(PageNumber page, byte[]? low, byte[]? high, int depth)
    {
        if (depth > NodeHeader.MaxDepth || !_reached.Add(page.Value))
        {
            Problems.Add($"page {page}: reached twice or too deep (a cycle in the tree's links)");
            return;
        }
        if (!_pages.TryRead(page, out byte[]? image))
        {
            Hole(page, low, high, "unreadable (checksum, page number or type)");
            return;
        }
        switch (PageHeader.GetType(image))
        {
            case PageType.BtreeLeaf:
                Leaves.Add(page);
                break;
            case PageType.BtreeInterior:
                VisitChildren(page, image, low, high, depth);
                break;
            default:
                Hole(page, low, high, "a tree link points at a page that is not a tree page");
                break;
        }
    }

    private void VisitChildren(PageNumber page, byte[] image, byte[]? low, byte[]? high, int depth)
    {
        List<(PageNumber Child, byte[] Key)> cells;
        PageNumber rightmost;
        try
        {
            (cells, rightmost) = ReadInterior(image, page, _pages.FilePath);
        }
        catch (CorruptDatabaseException e)
        {
            Hole(page, low, high, e.Message);
            return;
        }
        byte[]? from = low;
        foreach ((PageNumber child, byte[] key) in cells)
        {
            Visit(child, from, key, depth + 1);
            from = key;
        }
        Visit(rightmost, from, high, depth + 1);
    }

    /// <summary>An interior page's cells (left child, separator) and its rightmost child.</summary>
    private static (List<(PageNumber Child, byte[] Key)> Cells, PageNumber Rightmost) ReadInterior(byte[] image, PageNumber page, string path)
    {
        var reader = new SlottedPageReader(image, path);
        var cells = new List<(PageNumber, byte[])>(reader.CellCount);
        for (int i = 0; i < reader.CellCount; i++)
        {
            InteriorCell cell = InteriorCell.Read(reader.GetCell(i), page, path);
            cells.Add((cell.Child, cell.Key.ToArray()));
        }
        PageNumber rightmost = NodeHeader.GetRightmostChild(reader.UserHeader);
        if (rightmost.IsNone)
            ThrowHelper.ThrowCorrupt(path, page, "an interior page has no rightmost child");
        return (cells, rightmost);
    }

    private void Hole(PageNumber page, byte[]? low, byte[]? high, string why)
    {
        Holes.Add((low, high));
        Problems.Add($"page {page}: {why}");
    }
}
