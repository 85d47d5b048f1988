using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Cli.Tests.Commands;

public sealed class PageCommandTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    /// <summary>A file holding every page type: interior and leaf pages, an overflow chain, a free-list trunk and free pages.</summary>
    private string CreateDatabaseWithEveryPageType()
    {
        string path = _run.File("pages.pagedb");
        using (var database = PageDatabase.Open(path))
        {
            using (WriteTransaction tx = database.BeginWrite())
            {
                Tree big = tx.CreateTree("big");
                for (int i = 0; i < 2000; i++)
                    big.Put(System.Text.Encoding.UTF8.GetBytes($"key{i:D5}"), new byte[40]);
                tx.GetOrCreateTree("blob").Put("large"u8, new byte[20000]);
                Tree doomed = tx.CreateTree("doomed");
                for (int i = 0; i < 2000; i++)
                    doomed.Put(System.Text.Encoding.UTF8.GetBytes($"d{i:D5}"), new byte[40]);
                tx.Commit();
            }
            using (WriteTransaction tx = database.BeginWrite())
            {
                tx.DropTree("doomed");
                tx.Commit();
            }
            database.Checkpoint(CheckpointMode.Truncate);
        }
        return path;
    }

    private static Dictionary<PageType, uint> FirstPageOfEachType(string path)
    {
        var found = new Dictionary<PageType, uint>();
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadOnly);
        byte[] page = new byte[file.PageSize];
        for (uint n = 0; n < file.PageCount; n++)
        {
            file.ReadPage(new PageNumber(n), page);
            found.TryAdd(PageHeader.GetType(page), n);
        }
        return found;
    }

    // PageType is internal, so a public test method takes its byte value.
    [TestCase((byte)PageType.FileHeader, "catalog root")]
    [TestCase((byte)PageType.BtreeLeaf, "-> value")]
    [TestCase((byte)PageType.BtreeInterior, "rightmost child")]
    [TestCase((byte)PageType.Overflow, "next overflow page")]
    [TestCase((byte)PageType.FreeListTrunk, "free pages:")]
    public void DecodesEachPageType(byte typeValue, string expected)
    {
        var type = (PageType)typeValue;
        string path = CreateDatabaseWithEveryPageType();
        Dictionary<PageType, uint> pages = FirstPageOfEachType(path);
        Assert.That(pages, Does.ContainKey(type), "the fixture must hold a page of this type");
        string output = CliRun.Ok("page", path, pages[type].ToString()).Out;
        Assert.That(output, Does.StartWith($"page {pages[type]}: {type}"));
        Assert.That(output, Does.Contain(expected));
    }

    [Test]
    public void InteriorCellsNameTheirChildrenAndLeafCellsTheirOverflowChain()
    {
        string path = CreateDatabaseWithEveryPageType();
        Dictionary<PageType, uint> pages = FirstPageOfEachType(path);
        Assert.That(CliRun.Ok("page", path, pages[PageType.BtreeInterior].ToString()).Out, Does.Match(@"cell 0 at \d+, \d+ bytes: child \d+, separator key"));
        bool sawChain = false;
        for (uint n = 1; n < 200 && !sawChain; n++)
            sawChain = CliRun.Run("page", path, n.ToString()).Out.Contains("rest in overflow chain from page", StringComparison.Ordinal);
        Assert.That(sawChain, Is.True, "the leaf holding the 20,000-byte value names its overflow chain");
    }

    [Test]
    public void PagePastTheEndIsOneLine()
    {
        string path = _run.CreateSampleDatabase();
        Assert.That(CliRun.Fails(ExitCodes.Failed, "page", path, "100000").Err, Does.Contain("past the end"));
    }
}
