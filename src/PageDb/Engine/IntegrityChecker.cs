using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Engine;

/// <summary>
/// Proves a snapshot sound: the header is valid and counts the pages the WAL's last commit records; the free list is
/// well formed; every page passes its checksum (read fresh from the WAL or the database file, not from the cache) and,
/// unless it is on the free list, for slotted pages, its layout; the catalog and every tree pass the B+tree checker (overflow chains
/// included); every table's records, schema and index definitions decode, and its rows and index entries match one to
/// one; and every page is accounted for exactly once: the header, a tree or overflow page, or the free list.
/// The bytes of a page listed on the free list are left over from its earlier life and never read again (a reuse
/// overwrites them unread), so their layout is not checked, as SQLite's integrity check does not read free pages:
/// such a page breaks nothing a read or a write does. Its checksum still is: a mismatch there is harmless to the
/// data but is the sign of a failing disk or a stray write. Trunk pages are checked as the free list is walked, and a
/// page the list says was marked free when freed must still be a free page (type 6), as the write that takes it checks.
/// Where processes share the database, the shm file's header and reader table are checked too
/// (<see cref="Sharing.ProcessSharing.FindProblems"/>).
/// </summary>
internal sealed class IntegrityChecker(StorageEngine engine, ReadTransaction transaction)
{
    private readonly SnapshotPages _pages = (SnapshotPages)transaction.Pages;
    private readonly List<IntegrityProblem> _problems = [];
    private readonly string?[] _owner = new string?[transaction.Pages.PageCount];

    // The free-list entries marked free when they were freed: each must still be a page of type Free.
    private readonly HashSet<PageNumber> _markedFree = [];

    public IntegrityReport Run()
    {
        if (!CheckHeader())
        {
            CheckEveryPageChecksum([]);
            return new IntegrityReport(_problems, _pages.PageCount);
        }
        CheckEveryPageChecksum(CheckFreeList());
        CheckTrees();
        CheckTables();
        CheckAccounting();
        foreach (string problem in engine.Sharing.FindProblems(engine.Wal.LastCommit))
            _problems.Add(new IntegrityProblem(null, problem));
        return new IntegrityReport(_problems, _pages.PageCount);
    }

    private void CheckEveryPageChecksum(HashSet<PageNumber> free)
    {
        var scratch = new byte[_pages.PageSize];
        for (uint n = 0; n < _pages.PageCount; n++)
        {
            var page = new PageNumber(n);
            try
            {
                if (free.Contains(page))
                {
                    engine.Loader.LoadChecksummed(_pages.KeyOf(page), scratch);
                    if (_markedFree.Contains(page) && PageHeader.GetType(scratch) != PageType.Free)
                        _problems.Add(new IntegrityProblem(n, "the free list lists the page as marked free, but it is not a free page (a page still in use, or damaged): a write would refuse to take it"));
                }
                else
                    engine.Loader.Load(_pages.KeyOf(page), scratch);
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
            using PageHandle header = _pages.Read(PageNumber.Header);
            var fields = new FileHeaderPageReader(header.Data);
            fields.Verify(_pages.FilePath);
            Claim(PageNumber.Header, "the file header");
            if (HeaderPageCount.Fits(header.Data, _pages.PageCount))
                return true;
            _problems.Add(new IntegrityProblem(0, $"the header counts {fields.PageCount} pages, more than the {_pages.PageCount} the last commit in the WAL records"));
            return false;
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
            var catalog = new Catalog(_pages);
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
        BTreeVerification result = BTreeVerifier.Verify(_pages, root);
        foreach (BTreeProblem problem in result.Problems)
            _problems.Add(new IntegrityProblem(problem.Page.Value, $"{name}: {problem.Detail}"));
        foreach (PageNumber page in result.PagesReached)
            Claim(page, name);
    }

    /// <summary>Runs each table's own check (<see cref="Table.FindProblems"/>); an index must belong to a table.</summary>
    private void CheckTables()
    {
        List<(string Name, CatalogEntry Entry)> entries;
        try
        {
            entries = new Catalog(_pages).Entries();
        }
        catch (CorruptDatabaseException)
        {
            return; // reported by CheckTrees
        }
        foreach ((string name, CatalogEntry entry) in Catalog.IndexesWithoutTable(entries))
            _problems.Add(new IntegrityProblem(entry.Root.Value, $"index '{name.Replace('\0', '.')}' belongs to no table"));
        foreach ((string name, CatalogEntry entry) in entries)
        {
            if (entry.Kind != CatalogEntryKind.Table)
                continue;
            try
            {
                foreach (string problem in transaction.GetTable(name).FindProblems())
                    _problems.Add(new IntegrityProblem(entry.Root.Value, problem));
            }
            catch (CorruptDatabaseException e)
            {
                _problems.Add(new IntegrityProblem(e.PageNumber ?? entry.Root.Value, $"table '{name}': {e.Message}"));
            }
        }
    }

    /// <summary>Walks the free list, claiming its pages; returns them (those found before a fault, if any).</summary>
    private HashSet<PageNumber> CheckFreeList()
    {
        var free = new HashSet<PageNumber>();
        try
        {
            FreePageList.CollectPages(_pages, free, _markedFree);
        }
        catch (CorruptDatabaseException e)
        {
            _problems.Add(new IntegrityProblem(e.PageNumber, "the free list cannot be read: " + e.Message));
        }
        foreach (PageNumber page in free)
            Claim(page, "the free list");
        return free;
    }

    private void CheckAccounting()
    {
        for (uint n = 0; n < _pages.PageCount; n++)
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
