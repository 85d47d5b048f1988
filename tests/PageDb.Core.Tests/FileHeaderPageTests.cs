using System.Buffers.Binary;
using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class FileHeaderPageTests
{
    private const string Path = "/mem/header.pagedb";

    [Test]
    public void A_formatted_header_verifies_and_reads_back_its_fields()
    {
        var page = new byte[8192];
        var header = FileHeaderPage.Format(page, databaseId: 0x1122334455667788);
        header.PageCount = 7;
        header.FreeListHead = new PageNumber(5);
        header.FreePageCount = 2;
        header.CatalogRoot = new PageNumber(3);
        header.ChangeCounter = 99;

        header.Verify(Path);
        var reader = new FileHeaderPageReader(page);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reader.HasMagic, Is.True);
            Assert.That(reader.FormatVersion, Is.EqualTo(FileHeaderPage.CurrentFormatVersion));
            Assert.That(reader.PageSize, Is.EqualTo(8192));
            Assert.That(reader.PageCount, Is.EqualTo(7));
            Assert.That(reader.FreeListHead, Is.EqualTo(new PageNumber(5)));
            Assert.That(reader.FreePageCount, Is.EqualTo(2));
            Assert.That(reader.CatalogRoot, Is.EqualTo(new PageNumber(3)));
            Assert.That(reader.ChangeCounter, Is.EqualTo(99));
            Assert.That(reader.DatabaseId, Is.EqualTo(0x1122334455667788));
            Assert.That(PageHeader.GetType(page), Is.EqualTo(PageType.FileHeader));
            Assert.That(page.AsSpan(16, 16).ToArray(), Is.EqualTo("PageDb database\0"u8.ToArray()));
            Assert.That(page.AsSpan(72).ContainsAnyExcept((byte)0), Is.False, "reserved bytes and the rest are zero");
        }
    }

    [TestCase(4096), TestCase(8192), TestCase(16384), TestCase(32768), TestCase(65536)]
    public void Valid_page_sizes_are_accepted(int pageSize) =>
        Assert.That(FileHeaderPage.IsValidPageSize(pageSize), Is.True);

    [TestCase(0), TestCase(512), TestCase(1024), TestCase(4095), TestCase(4097), TestCase(6144), TestCase(131072), TestCase(-4096)]
    public void Invalid_page_sizes_are_refused(int pageSize) =>
        Assert.That(FileHeaderPage.IsValidPageSize(pageSize), Is.False);

    [TestCase(0u), TestCase(1000u), TestCase(4095u), TestCase(12288u), TestCase(131072u), TestCase(uint.MaxValue), TestCase(0x80000000u)]
    public void A_stored_page_size_that_is_not_a_power_of_two_in_range_is_corruption(uint pageSize)
    {
        byte[] page = ValidHeader();
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(36), pageSize);
        Assert.That(() => FileHeaderPageReader.ValidateIdentity(page, Path),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("page size"));
    }

    [Test]
    public void Wrong_magic_says_not_a_PageDb_database()
    {
        byte[] page = ValidHeader();
        page[20] ^= 0x20;
        Assert.That(() => FileHeaderPageReader.ValidateIdentity(page, Path),
            Throws.TypeOf<PageDbException>().With.Message.Contains("not a PageDb database").And.Message.Contains(Path));
    }

    [Test]
    public void A_newer_format_version_is_refused_naming_the_version()
    {
        byte[] page = ValidHeader();
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(32), FileHeaderPage.CurrentFormatVersion + 1);
        Assert.That(() => FileHeaderPageReader.ValidateIdentity(page, Path),
            Throws.TypeOf<PageDbException>().With.Message.Contains($"version {FileHeaderPage.CurrentFormatVersion + 1}"));
    }

    [Test]
    public void Format_version_zero_is_corruption()
    {
        byte[] page = ValidHeader();
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(32), 0);
        Assert.That(() => FileHeaderPageReader.ValidateIdentity(page, Path), Throws.InstanceOf<CorruptDatabaseException>());
    }

    [TestCase(0), TestCase(1), TestCase(15), TestCase(16), TestCase(17), TestCase(31), TestCase(32), TestCase(71)]
    public void A_prefix_shorter_than_the_header_fields_is_refused_without_reading_past_it(int length)
    {
        byte[] page = ValidHeader();
        Assert.That(() => FileHeaderPageReader.ValidateIdentity(page.AsSpan(0, length), Path),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("too short"));
    }

    [Test]
    public void A_short_prefix_of_something_else_is_not_a_PageDb_database()
    {
        byte[] text = "Hello, this is a plain text file, not a database."u8.ToArray();
        Assert.That(() => FileHeaderPageReader.ValidateIdentity(text, Path),
            Throws.TypeOf<PageDbException>().With.Message.Contains("not a PageDb database"));
    }

    [TestCase(40, 0u, "page count 0")]
    [TestCase(44, 9u, "free-list head")]
    [TestCase(52, 9u, "catalog root")]
    [TestCase(48, 9u, "free page count")]
    [TestCase(48, 1u, "free page count")]
    public void Verify_catches_impossible_fields(int offset, uint value, string expected)
    {
        byte[] page = ValidHeader(pageCount: 9);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(offset), value);
        Assert.That(() => new FileHeaderPageReader(page).Verify(Path),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains(expected)
                .And.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(0));
    }

    [Test]
    public void Verify_catches_a_page_of_another_type() =>
        Assert.That(() =>
        {
            byte[] page = ValidHeader();
            PageHeader.SetType(page, PageType.BtreeLeaf);
            new FileHeaderPageReader(page).Verify(Path);
        }, Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("not a file header"));

    [Test]
    public void Verify_catches_a_page_size_that_disagrees_with_the_page() =>
        Assert.That(() =>
        {
            byte[] page = ValidHeader();
            BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(36), 8192);
            new FileHeaderPageReader(page).Verify(Path);
        }, Throws.InstanceOf<CorruptDatabaseException>());

    // Whole files, through DatabaseFile.Open: what a user opening a bad file sees.

    [Test]
    public void Opening_an_empty_file_without_create_is_refused()
    {
        MemoryStorage storage = StorageWith([]);
        Assert.That(() => DatabaseFile.Open(storage, Path, StorageOpenMode.ReadWrite),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("too short"));
    }

    [Test]
    public void Opening_a_text_file_says_not_a_PageDb_database()
    {
        MemoryStorage storage = StorageWith(System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("some text ", 1000))));
        Assert.That(() => DatabaseFile.Open(storage, Path, StorageOpenMode.CreateIfMissing),
            Throws.TypeOf<PageDbException>().With.Message.Contains("not a PageDb database"));
        Assert.That(storage.GetContents(Path)[0], Is.EqualTo((byte)'s'), "a foreign file is never overwritten");
    }

    [Test]
    public void A_file_shorter_than_its_page_count_is_reported_truncated()
    {
        byte[] file = ValidFile(pageCount: 3);
        MemoryStorage storage = StorageWith(file[..(4096 * 2)]);
        Assert.That(() => DatabaseFile.Open(storage, Path, StorageOpenMode.ReadWrite),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("truncated"));
    }

    [Test]
    public void A_file_cut_inside_page_0_is_reported_truncated()
    {
        byte[] file = ValidFile(pageCount: 1);
        MemoryStorage storage = StorageWith(file[..1000]);
        Assert.That(() => DatabaseFile.Open(storage, Path, StorageOpenMode.ReadOnly),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("truncated"));
    }

    [Test]
    public void A_bad_header_checksum_is_corruption_of_page_0()
    {
        byte[] file = ValidFile(pageCount: 1);
        file[3000] ^= 1;
        Assert.That(() => DatabaseFile.Open(StorageWith(file), Path, StorageOpenMode.ReadOnly),
            Throws.InstanceOf<CorruptDatabaseException>()
                .With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(0)
                .And.Property(nameof(CorruptDatabaseException.FilePath)).EqualTo(Path));
    }

    [Test]
    public void Every_single_bit_flip_in_page_0_is_refused()
    {
        byte[] file = ValidFile(pageCount: 1);
        int seed = TestSeed.Next();
        var random = new Random(seed);
        for (int offset = 0; offset < 4096; offset++)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[offset] ^= (byte)(1 << random.Next(8));
            Assert.That(() => DatabaseFile.Open(StorageWith(damaged), Path, StorageOpenMode.ReadOnly).Dispose(),
                Throws.InstanceOf<PageDbException>(), $"flip at byte {offset}, {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void Garbage_files_of_any_length_give_a_PageDb_error_and_nothing_else()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        int[] lengths = [0, 1, 15, 16, 17, 40, 71, 72, 73, 100, 4095, 4096, 4097, 8192, 70_000];
        foreach (int length in lengths)
        {
            for (int round = 0; round < 20; round++)
            {
                byte[] garbage = new byte[length];
                random.NextBytes(garbage);
                if (round % 2 == 1 && length >= 40)
                    ValidFile(pageCount: 1).AsSpan(0, Math.Min(length, 40) - (round % 7)).CopyTo(garbage); // a plausible start
                Assert.That(() => DatabaseFile.Open(StorageWith(garbage), Path, StorageOpenMode.ReadOnly).Dispose(),
                    Throws.InstanceOf<PageDbException>(), $"length {length} round {round}, {TestSeed.Describe(seed)}");
            }
        }
    }

    private static byte[] ValidHeader(uint pageCount = 1)
    {
        var page = new byte[4096];
        var header = FileHeaderPage.Format(page, databaseId: 42);
        header.PageCount = pageCount;
        return page;
    }

    /// <summary>A database file of <paramref name="pageCount"/> pages: a sealed header, then sealed empty pages.</summary>
    private static byte[] ValidFile(uint pageCount)
    {
        var file = new byte[4096 * pageCount];
        byte[] header = ValidHeader(pageCount);
        PageHeader.Seal(header, PageNumber.Header);
        header.CopyTo(file, 0);
        for (uint n = 1; n < pageCount; n++)
        {
            Span<byte> page = file.AsSpan((int)(n * 4096), 4096);
            PageHeader.Initialize(page, PageType.Slotted, new PageNumber(n));
            PageHeader.Seal(page, new PageNumber(n));
        }
        return file;
    }

    private static MemoryStorage StorageWith(byte[] contents)
    {
        var storage = new MemoryStorage();
        using IStorageFile file = storage.Open(Path, StorageOpenMode.CreateIfMissing);
        file.Write(0, contents);
        return storage;
    }
}
