using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class DatabaseFileTests
{
    private const string Path = "/mem/db.pagedb";
    private const int PageSize = 4096;
    private MemoryStorage _storage = null!;

    [SetUp]
    public void CreateStorage() => _storage = new MemoryStorage();

    [TestCase(4096), TestCase(8192), TestCase(65536)]
    public void A_created_database_reopens_with_its_page_size_id_and_count(int pageSize)
    {
        ulong id;
        using (DatabaseFile created = DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing, pageSize))
        {
            Assert.That(created.WasCreated, Is.True);
            Assert.That(created.PageCount, Is.EqualTo(1));
            Assert.That(created.DatabaseId, Is.Not.Zero);
            id = created.DatabaseId;
        }
        Assert.That(_storage.GetContents(Path), Has.Length.EqualTo(pageSize));

        using DatabaseFile reopened = DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing, pageSize: 4096);
        Assert.That(reopened.WasCreated, Is.False);
        Assert.That(reopened.PageSize, Is.EqualTo(pageSize), "an existing file's page size wins over the one asked for");
        Assert.That(reopened.DatabaseId, Is.EqualTo(id));
        var header = new byte[pageSize];
        reopened.ReadHeader(header);
        Assert.That(new FileHeaderPageReader(header).PageCount, Is.EqualTo(1));
    }

    [Test]
    public void Two_databases_get_different_ids()
    {
        using DatabaseFile a = DatabaseFile.Open(_storage, "/mem/a", StorageOpenMode.CreateIfMissing);
        using DatabaseFile b = DatabaseFile.Open(_storage, "/mem/b", StorageOpenMode.CreateIfMissing);
        Assert.That(a.DatabaseId, Is.Not.EqualTo(b.DatabaseId));
    }

    [TestCase(0), TestCase(2048), TestCase(5000), TestCase(131072)]
    public void An_invalid_page_size_is_refused_before_any_file_is_created(int pageSize)
    {
        Assert.That(() => DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing, pageSize),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(_storage.Exists(Path), Is.False);
    }

    [Test]
    public void A_missing_file_without_create_is_FileNotFound() =>
        Assert.That(() => DatabaseFile.Open(_storage, Path, StorageOpenMode.ReadWrite), Throws.InstanceOf<FileNotFoundException>());

    [Test]
    public void A_second_writer_is_refused_but_readers_are_not()
    {
        using (DatabaseFile writer = DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing))
        {
            Assert.That(() => DatabaseFile.Open(_storage, Path, StorageOpenMode.ReadWrite),
                Throws.TypeOf<DatabaseLockedException>().With.Property(nameof(DatabaseLockedException.FilePath)).EqualTo(Path));
            Assert.That(() => DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing), Throws.TypeOf<DatabaseLockedException>());
            using DatabaseFile reader = DatabaseFile.Open(_storage, Path, StorageOpenMode.ReadOnly);
            Assert.That(reader.DatabaseId, Is.EqualTo(writer.DatabaseId));
        }
        using DatabaseFile next = DatabaseFile.Open(_storage, Path, StorageOpenMode.ReadWrite);
        Assert.That(next.IsReadOnly, Is.False);
    }

    [Test]
    public void A_second_writer_on_a_real_file_is_refused()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-dbfile-").FullName;
        try
        {
            string path = System.IO.Path.Combine(directory, "real.pagedb");
            using DatabaseFile writer = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.CreateIfMissing);
            Assert.That(() => DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite), Throws.TypeOf<DatabaseLockedException>());
            Assert.That(new FileInfo(path).Length, Is.EqualTo(PageSize));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestCase(0), TestCase(100), TestCase(4096)]
    public void An_unfinished_creation_of_zeros_is_completed(int zeros)
    {
        using (IStorageFile raw = _storage.Open(Path, StorageOpenMode.CreateIfMissing))
            raw.SetLength(zeros);
        using DatabaseFile file = DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing);
        Assert.That(file.WasCreated, Is.True);
        Assert.That(_storage.GetContents(Path), Has.Length.EqualTo(PageSize));
    }

    [Test]
    public void Written_pages_read_back_verified()
    {
        using DatabaseFile file = CreateWithPages(4);
        byte[][] pages = WriteSamplePages(file);
        for (uint n = 1; n < 4; n++)
        {
            var back = new byte[PageSize];
            file.ReadPage(new PageNumber(n), back);
            Assert.That(back, Is.EqualTo(pages[n]), $"page {n}");
        }
    }

    [Test]
    public void Every_bit_flip_in_header_pointer_and_cell_areas_of_every_page_type_is_reported_with_its_page()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using DatabaseFile file = CreateWithPages(4);
        WriteSamplePages(file);
        using IStorageFile raw = _storage.Open(Path, StorageOpenMode.ReadWrite);
        var buffer = new byte[PageSize];
        int bitsPerByte = TestSeed.LongRun ? 8 : 1;
        for (uint n = 0; n < 4; n++)
        {
            var page = new PageNumber(n);
            for (int offset = 0; offset < PageSize; offset++)
            {
                for (int b = 0; b < bitsPerByte; b++)
                {
                    int bit = bitsPerByte == 8 ? b : random.Next(8);
                    long at = page.FileOffset(PageSize) + offset;
                    FlipBit(raw, at, bit);
                    Assert.That(() => file.ReadPage(page, buffer),
                        Throws.InstanceOf<CorruptDatabaseException>()
                            .With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(n)
                            .And.Property(nameof(CorruptDatabaseException.FilePath)).EqualTo(Path),
                        $"page {n} byte {offset} bit {bit}, {TestSeed.Describe(seed)}");
                    FlipBit(raw, at, bit);
                }
            }
            file.ReadPage(page, buffer); // restored: reads clean again
        }
    }

    [Test]
    public void A_page_written_to_the_wrong_place_is_detected()
    {
        using DatabaseFile file = CreateWithPages(6);
        WriteSamplePages(file);
        var sealedPage3 = new byte[PageSize];
        using (IStorageFile raw = _storage.Open(Path, StorageOpenMode.ReadWrite))
        {
            raw.TryReadExactly(new PageNumber(3).FileOffset(PageSize), sealedPage3);
            raw.Write(new PageNumber(5).FileOffset(PageSize), sealedPage3);
        }
        Assert.That(() => file.ReadPage(new PageNumber(5), new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("different page number")
                .And.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(5));
    }

    [Test]
    public void A_page_whose_contents_never_reached_the_disk_reads_as_corrupt()
    {
        using DatabaseFile file = CreateWithPages(3);
        file.WritePage(new PageNumber(1), SamplePage(PageType.Overflow, 1, 7));
        using (IStorageFile raw = _storage.Open(Path, StorageOpenMode.ReadWrite))
            raw.SetLength(3 * PageSize); // the size grew, page 2's bytes did not arrive: zeros
        Assert.That(() => file.ReadPage(new PageNumber(2), new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(2));
    }

    [Test]
    public void A_write_torn_at_a_sector_boundary_is_detected()
    {
        using DatabaseFile file = CreateWithPages(2);
        var page = new PageNumber(1);
        file.WritePage(page, SamplePage(PageType.BtreeLeaf, 1, seed: 1));
        var old = new byte[PageSize];
        using IStorageFile raw = _storage.Open(Path, StorageOpenMode.ReadWrite);
        raw.TryReadExactly(page.FileOffset(PageSize), old);
        file.WritePage(page, SamplePage(PageType.BtreeLeaf, 1, seed: 2));
        for (int sector = 1; sector < PageSize / 512; sector++)
        {
            raw.Write(page.FileOffset(PageSize) + (sector * 512), old.AsSpan(sector * 512, 512)); // sectors 1.. old, 0 new
        }
        Assert.That(() => file.ReadPage(page, new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("checksum"));
    }

    [Test]
    public void A_page_past_the_end_or_past_the_file_is_corrupt_not_an_index_error()
    {
        using DatabaseFile file = CreateWithPages(3);
        Assert.That(() => file.ReadPage(new PageNumber(3), new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("past the end").And.Message.Contains("page 3"));
        Assert.That(() => file.ReadPage(new PageNumber(uint.MaxValue), new byte[PageSize]), Throws.InstanceOf<CorruptDatabaseException>());
        Assert.That(() => file.ReadPage(new PageNumber(2), new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("truncated"), "counted but never written");
    }

    [Test]
    public void Writing_past_the_page_count_or_with_a_wrong_buffer_is_a_programmer_error()
    {
        using DatabaseFile file = CreateWithPages(2);
        Assert.That(() => file.WritePage(new PageNumber(2), new byte[PageSize]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => file.WritePage(new PageNumber(1), new byte[100]), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => file.ReadPage(new PageNumber(1), new byte[100]), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void A_read_only_file_refuses_changes()
    {
        using (DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing)) { }
        using DatabaseFile file = DatabaseFile.Open(_storage, Path, StorageOpenMode.ReadOnly);
        Assert.That(file.IsReadOnly, Is.True);
        Assert.That(() => file.WritePage(PageNumber.Header, new byte[PageSize]), Throws.InstanceOf<InvalidOperationException>());
        Assert.That(() => file.SetPageCount(2), Throws.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void Truncate_shrinks_the_file_and_the_readable_pages()
    {
        using DatabaseFile file = CreateWithPages(4);
        WriteSamplePages(file);
        file.Truncate(2);
        file.Sync();
        Assert.That(_storage.GetContents(Path), Has.Length.EqualTo(2 * PageSize));
        Assert.That(() => file.ReadPage(new PageNumber(2), new byte[PageSize]), Throws.InstanceOf<CorruptDatabaseException>());
        file.ReadPage(new PageNumber(1), new byte[PageSize]);
    }

    [Test]
    public void After_a_failed_sync_every_change_is_refused_until_reopened()
    {
        var storage = new SyncFailingStorage(_storage);
        using DatabaseFile file = DatabaseFile.Open(storage, Path, StorageOpenMode.CreateIfMissing);
        file.SetPageCount(2);
        file.WritePage(new PageNumber(1), SamplePage(PageType.Overflow, 1, 3));
        storage.FailSyncs = true;
        Assert.That(file.Sync, Throws.InstanceOf<PageDbIOException>());
        storage.FailSyncs = false;
        Assert.That(file.IsFailed, Is.True);
        Assert.That(() => file.WritePage(new PageNumber(1), SamplePage(PageType.Overflow, 1, 4)),
            Throws.InstanceOf<PageDbIOException>().With.Message.Contains("reopen"));
        Assert.That(file.Sync, Throws.InstanceOf<PageDbIOException>(), "a later sync must not pretend the data is safe");
        file.ReadPage(new PageNumber(1), new byte[PageSize]); // reads still work
    }

    [Test]
    public void ReadHeader_checks_the_header_page_itself()
    {
        using DatabaseFile file = CreateWithPages(2);
        var header = new byte[PageSize];
        file.ReadHeader(header);
        _ = new FileHeaderPage(header) { CatalogRoot = new PageNumber(7) }; // past the end: invalid, though sealed correctly
        file.WriteHeader(header);
        Assert.That(() => file.ReadHeader(new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("catalog root"));
    }

    /// <summary>A new database whose header and page count say <paramref name="pageCount"/> pages.</summary>
    private DatabaseFile CreateWithPages(uint pageCount)
    {
        DatabaseFile file = DatabaseFile.Open(_storage, Path, StorageOpenMode.CreateIfMissing);
        var header = new byte[PageSize];
        file.ReadHeader(header);
        _ = new FileHeaderPage(header) { PageCount = pageCount };
        file.SetPageCount(pageCount);
        file.WriteHeader(header);
        return file;
    }

    /// <summary>Writes a slotted-looking leaf (page 1), an overflow page (2) and a free-list trunk (3); returns them by number.</summary>
    private static byte[][] WriteSamplePages(DatabaseFile file)
    {
        byte[][] pages = [[], SamplePage(PageType.BtreeLeaf, 1, 11), SamplePage(PageType.Overflow, 2, 12), SamplePage(PageType.FreeListTrunk, 3, 13)];
        for (uint n = 1; n < 4; n++)
            file.WritePage(new PageNumber(n), pages[n]);
        return pages;
    }

    /// <summary>A page of <paramref name="type"/> with a pointer area after the headers and cells at the end, filled from <paramref name="seed"/>.</summary>
    private static byte[] SamplePage(PageType type, uint number, int seed)
    {
        var random = new Random(seed);
        var page = new byte[PageSize];
        PageHeader.Initialize(page, type, new PageNumber(number));
        random.NextBytes(page.AsSpan(16, 200)); // type header and pointer area
        random.NextBytes(page.AsSpan(PageSize - 1500)); // cell area
        return page;
    }

    private static void FlipBit(IStorageFile raw, long offset, int bit)
    {
        Span<byte> one = stackalloc byte[1];
        raw.TryReadExactly(offset, one);
        one[0] ^= (byte)(1 << bit);
        raw.Write(offset, one);
    }

    /// <summary>Storage whose files' syncs fail on demand, as a dying disk's would.</summary>
    private sealed class SyncFailingStorage(IStorage inner) : IStorage
    {
        public bool FailSyncs { get; set; }

        public IStorageFile Open(string path, StorageOpenMode mode) => new File(this, inner.Open(path, mode));

        public bool Exists(string path) => inner.Exists(path);

        public void Delete(string path) => inner.Delete(path);

        public void SyncDirectory(string path) => inner.SyncDirectory(path);

        private sealed class File(SyncFailingStorage owner, IStorageFile inner) : IStorageFile
        {
            public string Path => inner.Path;
            public long Length => inner.Length;
            public int Read(long offset, Span<byte> destination) => inner.Read(offset, destination);
            public void Write(long offset, ReadOnlySpan<byte> source) => inner.Write(offset, source);
            public void SetLength(long length) => inner.SetLength(length);
            public bool TryLockExclusive() => inner.TryLockExclusive();
            public void Dispose() => inner.Dispose();

            public void Sync(bool includeMetadata = false)
            {
                if (owner.FailSyncs)
                    throw new PageDbIOException(Path, "fdatasync", new IOException("Input/output error"));
                inner.Sync(includeMetadata);
            }
        }
    }

    /// <summary>
    /// A checkpoint may rewrite page 0 in place (its page count: docs/FORMAT.md, "Unlogged growth") while another
    /// thread or process reads it, so a read may see the new checksum with the old count. Such a read is read again
    /// and heals; a page 0 that keeps failing is reported as corrupt, after <see cref="DatabaseFile.HeaderReadAttempts"/> reads.
    /// </summary>
    [TestCase(1), TestCase(DatabaseFile.HeaderReadAttempts - 1)]
    public void A_page_0_read_torn_by_a_write_beside_it_is_read_again(int tornReads)
    {
        var faulty = new FaultyStorage(_storage);
        using DatabaseFile file = DatabaseFile.Open(faulty, Path, StorageOpenMode.CreateIfMissing);
        int reads = 0;
        faulty.TamperRead = (_, offset, bytes) =>
        {
            if (offset == 0 && ++reads <= tornReads)
                bytes[40] ^= 1; // the page count as it was before the write, beside the new checksum
        };
        var header = new byte[PageSize];
        file.ReadHeader(header);
        Assert.That(new FileHeaderPageReader(header).PageCount, Is.EqualTo(1));
        Assert.That(reads, Is.EqualTo(tornReads + 1), "each torn read was read again, and the last one was whole");
    }

    [Test]
    public void A_page_0_that_fails_its_checksum_on_every_read_is_corrupt()
    {
        var faulty = new FaultyStorage(_storage);
        using DatabaseFile file = DatabaseFile.Open(faulty, Path, StorageOpenMode.CreateIfMissing);
        int reads = 0;
        faulty.TamperRead = (_, offset, bytes) =>
        {
            if (offset == 0)
            {
                reads++;
                bytes[40] ^= 1;
            }
        };
        Assert.That(() => file.ReadPage(PageNumber.Header, new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("checksum mismatch"));
        Assert.That(reads, Is.EqualTo(DatabaseFile.HeaderReadAttempts));
    }

    [Test]
    public void Any_other_page_that_fails_its_checksum_is_corrupt_at_the_first_read()
    {
        var faulty = new FaultyStorage(_storage);
        using DatabaseFile file = DatabaseFile.Open(faulty, Path, StorageOpenMode.CreateIfMissing);
        file.SetPageCount(2);
        var page = new byte[PageSize];
        PageHeader.Initialize(page, PageType.Overflow, new PageNumber(1));
        file.WritePage(new PageNumber(1), page);
        int reads = 0;
        faulty.TamperRead = (_, offset, bytes) =>
        {
            if (offset == PageSize)
            {
                reads++;
                bytes[40] ^= 1;
            }
        };
        Assert.That(() => file.ReadPage(new PageNumber(1), new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Message.Contains("checksum mismatch"));
        Assert.That(reads, Is.EqualTo(1), "only page 0 is written while it is read: any other page read torn is damaged");
    }
}
