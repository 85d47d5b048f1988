using Microsoft.Win32.SafeHandles;
using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Core.Tests;

/// <summary>
/// Pages of a mapped database file lent to readers in place (<see cref="InPlacePages"/>, through
/// <see cref="DatabaseFile.TryLend"/>): a page is lent only once it passed the loader's checks, and it is checked again
/// after every write of it into the file and every truncate that cut it, so a damaged page behind a page once verified
/// is still refused. The damage is done with a second descriptor, as a disk or another program would.
/// </summary>
[TestFixture]
public sealed class InPlacePagesTests
{
    private const int PageSize = 4096;
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("pages are lent in place only from a memory mapping, used only on Linux");
        _directory = Directory.CreateTempSubdirectory("pagedb-inplace-").FullName;
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (_directory is not null)
            Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void A_sound_page_is_lent_with_the_file_bytes_and_a_damaged_one_is_not()
    {
        string path = CreateFile(pages: 4);
        Damage(path, page: 2);
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        var expected = new byte[PageSize];
        file.ReadPage(new PageNumber(1), expected);

        Assert.That(file.TryLend(new PageNumber(1), out PageHandle lent), Is.True);
        using (lent)
        {
            Assert.That(lent.Data.ToArray(), Is.EqualTo(expected));
            Assert.That(lent.Number, Is.EqualTo(new PageNumber(1)));
        }
        Assert.That(file.TryLend(new PageNumber(2), out _), Is.False, "a page failing its checksum is never lent");
        Assert.That(() => file.ReadPage(new PageNumber(2), new byte[PageSize]), Throws.InstanceOf<CorruptDatabaseException>());
        Assert.That(file.TryLend(new PageNumber(4), out _), Is.False, "past the page count");
    }

    [Test]
    public void A_page_written_again_is_checked_again_before_it_is_lent()
    {
        string path = CreateFile(pages: 4);
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        LendAndReturn(file, 1);

        var rewritten = new byte[PageSize];
        PageHeader.Initialize(rewritten, PageType.Overflow, new PageNumber(1));
        rewritten[100] = 7;
        file.WritePage(new PageNumber(1), rewritten); // as a checkpoint copies a newer frame of the page
        Damage(path, page: 1);

        Assert.That(file.TryLend(new PageNumber(1), out _), Is.False, "the write made the page unverified; its damage is seen");
        Assert.That(() => file.ReadPage(new PageNumber(1), new byte[PageSize]), Throws.InstanceOf<CorruptDatabaseException>());
    }

    [Test]
    public void A_page_cut_by_a_truncate_is_checked_again_when_the_file_grows_back()
    {
        string path = CreateFile(pages: 4);
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        LendAndReturn(file, 3);

        file.Truncate(2);
        file.SetPageCount(4);
        file.ExtendToPageCount(); // page 3 now reads as zeros

        Assert.That(file.TryLend(new PageNumber(3), out _), Is.False, "a page of zeros fails its checksum");
        Assert.That(() => file.ReadPage(new PageNumber(3), new byte[PageSize]), Throws.InstanceOf<CorruptDatabaseException>());
    }

    [Test]
    public void A_page_lent_across_a_truncate_reads_zeros_instead_of_faulting()
    {
        string path = CreateFile(pages: 8);
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        Assert.That(file.TryLend(new PageNumber(6), out PageHandle lent), Is.True);
        using (lent)
        {
            file.Truncate(2); // the invariant says no reader holds such a page; if one did, it must not get SIGBUS
            Assert.That(lent.Data.ContainsAnyExcept((byte)0), Is.False);
        }
        Assert.That(file.TryLend(new PageNumber(1), out PageHandle still), Is.True, "pages before the cut are still lent");
        still.Dispose();
    }

    [Test]
    public void A_close_with_a_page_still_lent_releases_the_file_and_its_lock()
    {
        string path = CreateFile(pages: 4);
        DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        Assert.That(file.TryLend(new PageNumber(1), out PageHandle lent), Is.True);
        file.Dispose();
        Assert.That(lent.Data.ContainsAnyExcept((byte)0), Is.False, "a page lent past the close reads zeros");
        lent.Dispose();
        using DatabaseFile reopened = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        Assert.That(reopened.TryLend(new PageNumber(1), out PageHandle again), Is.True, "no mapping of the closed open kept the writer lock");
        again.Dispose();
    }

    private static void LendAndReturn(DatabaseFile file, uint page)
    {
        Assert.That(file.TryLend(new PageNumber(page), out PageHandle lent), Is.True);
        lent.Dispose();
    }

    /// <summary>A database file of <paramref name="pages"/> pages: the header and overflow pages, each sealed.</summary>
    private string CreateFile(uint pages)
    {
        string path = Path.Combine(_directory, "db.pagedb");
        using DatabaseFile created = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.CreateIfMissing);
        var header = new byte[PageSize];
        created.ReadHeader(header);
        _ = new FileHeaderPage(header) { PageCount = pages };
        created.SetPageCount(pages);
        created.WriteHeader(header);
        for (uint n = 1; n < pages; n++)
        {
            var page = new byte[PageSize];
            PageHeader.Initialize(page, PageType.Overflow, new PageNumber(n));
            page[200] = (byte)n;
            created.WritePage(new PageNumber(n), page);
        }
        return path;
    }

    /// <summary>Flips one byte of the page through another descriptor (opened without .NET's implicit flock, which the writer's lock would refuse).</summary>
    private static void Damage(string path, uint page)
    {
        using var handle = new SafeFileHandle(LinuxNative.Open(path, LinuxNative.ORdWr | LinuxNative.OCloExec, 0), ownsHandle: true);
        Assert.That(handle.IsInvalid, Is.False);
        var one = new byte[1];
        long offset = (page * PageSize) + 300;
        RandomAccess.Read(handle, one, offset);
        one[0] ^= 0x5A;
        RandomAccess.Write(handle, one, offset);
    }
}
