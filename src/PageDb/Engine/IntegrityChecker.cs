using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>
/// Proves a snapshot sound: every page's bytes pass their checksum (read fresh from the WAL or the database file,
/// not from the cache), the header is valid, the catalog and every tree pass the B+tree checker, and every page is
/// accounted for exactly once: the header, a tree or overflow page, or the free list.
/// </summary>
internal sealed class IntegrityChecker(StorageEngine engine, SnapshotPages pages)
{
    private readonly List<IntegrityProblem> _problems = [];
    private readonly string?[] _owner = new string?[pages.PageCount];

    public IntegrityReport Run()
    {
        CheckEveryPageChecksum();
        if (CheckHeader())
        {
            CheckTrees();
            CheckFreeList();
            CheckAccounting();
        }
        return new IntegrityReport(_problems, pages.PageCount);
    }

    private void CheckEveryPageChecksum()
    {
        var scratch = new byte[pages.PageSize];
        for (uint n = 0; n < pages.PageCount; n++)
        {
            var page = new PageNumber(n);
            try
            {
                engine.Loader.Load(pages.KeyOf(page), scratch);
            }
            catch (CorruptDatabaseException e)
            {
                _problems.Add(new IntegrityProblem(n, e.Message));
            }
        }
    }

    private bool CheckHeader()
    {
        try
        {
            using PageHandle header = pages.Read(PageNumber.Header);
            new FileHeaderPageReader(header.Data).Verify(pages.FilePath);
            Claim(PageNumber.Header, "the file header");
            return true;
        }
        catch (CorruptDatabaseException e)
        {
            _problems.Add(new IntegrityProblem(e.PageNumber, e.Message));
            return false;
        }
    }

    private void CheckTrees()
    {
        try
        {
            var catalog = new Catalog(pages);
            CheckTree("the catalog", catalog.Root);
            foreach ((string name, CatalogEntry entry) in catalog.Entries())
                CheckTree($"tree '{name}'", entry.Root);
        }
        catch (CorruptDatabaseException e)
        {
            _problems.Add(new IntegrityProblem(e.PageNumber, "the catalog cannot be read: " + e.Message));
        }
    }

    private void CheckTree(string name, PageNumber root)
    {
        BTreeVerification result = BTreeVerifier.Verify(pages, root);
        foreach (BTreeProblem problem in result.Problems)
            _problems.Add(new IntegrityProblem(problem.Page.Value, $"{name}: {problem.Detail}"));
        foreach (PageNumber page in result.PagesReached)
            Claim(page, name);
    }

    private void CheckFreeList()
    {
        var free = new List<PageNumber>();
        try
        {
            FreePageList.CollectPages(pages, free);
        }
        catch (CorruptDatabaseException e)
        {
            _problems.Add(new IntegrityProblem(e.PageNumber, "the free list cannot be read: " + e.Message));
        }
        foreach (PageNumber page in free)
            Claim(page, "the free list");
    }

    private void CheckAccounting()
    {
        for (uint n = 0; n < pages.PageCount; n++)
        {
            if (_owner[n] is null)
                _problems.Add(new IntegrityProblem(n, "the page is lost: no tree reaches it and it is not on the free list"));
        }
    }

    private void Claim(PageNumber page, string owner)
    {
        if (page.Value >= _owner.Length)
        {
            _problems.Add(new IntegrityProblem(page.Value, $"{owner} reaches a page past the end of the database"));
            return;
        }
        if (_owner[page.Value] is { } other)
            _problems.Add(new IntegrityProblem(page.Value, $"the page is reached twice: by {other} and by {owner}"));
        else
            _owner[page.Value] = owner;
    }
}
