using Microsoft.Win32.SafeHandles;
using NUnit.Framework;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Testing;

namespace PageDb.Core.Tests;

/// <summary>
/// The memory-mapped read path (<see cref="FileMapping"/>, <see cref="FileStorageFile.MapForReading"/>): what it reads
/// equals what pread reads while the file grows and shrinks, a shrink under concurrent readers never lets one touch a
/// byte past the end (which would kill the test process with SIGBUS), and pages read through it are still verified.
/// </summary>
[TestFixture]
public sealed class FileMappingTests
{
    private const int PageSize = 4096;
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("memory-mapped reads are used only on Linux");
        _directory = Directory.CreateTempSubdirectory("pagedb-mapping-").FullName;
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (_directory is not null)
            Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public void Mapped_reads_equal_the_model_while_the_file_grows_and_shrinks()
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        using SafeFileHandle handle = File.OpenHandle(Path.Combine(_directory, "model"), FileMode.CreateNew, FileAccess.ReadWrite);
        var model = new List<byte>();
        WriteAt(handle, null, model, 0, RandomBytes(rng, 40 * PageSize));
        using var mapping = new FileMapping(handle);
        int served = 0;
        for (int step = 0; step < 3000; step++)
        {
            string context = $"step {step}, length {model.Count}; {TestSeed.Describe(seed)}";
            int action = rng.Next(100);
            if (action < 15)
                WriteAt(handle, mapping, model, rng.Next(model.Count + 8 * PageSize), RandomBytes(rng, rng.Next(1, 6 * PageSize)));
            else if (action < 20)
                SetLength(handle, mapping, model, rng.Next(Math.Max(1, model.Count * 3 / 2)));
            else
                served += ReadAndCompare(mapping, model, rng, context) ? 1 : 0;
        }
        Assert.That(served, Is.GreaterThan(1000), $"most reads lie inside the file and are served by the mapping; {TestSeed.Describe(seed)}");
    }

    [Test]
    public void A_shrink_beside_busy_readers_and_held_loans_never_lets_one_read_past_the_end()
    {
        const int MaxPages = 64;
        string path = Path.Combine(_directory, "shrink");
        using IStorageFile file = FileStorage.Instance.Open(path, StorageOpenMode.CreateIfMissing);
        Assert.That(file.TryLockExclusive(), Is.True);
        WritePages(file, 0, MaxPages);
        ((FileStorageFile)file).MapForReading();
        Assert.That(((FileStorageFile)file).IsMapped, Is.True);
        int finished = 0;
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Thread[] readers = [.. Enumerable.Range(0, 2).Select(r => new Thread(() => ReadUntil(file, MaxPages, r, () => Volatile.Read(ref finished) == 1, problems))),
            new Thread(() => LendUntil(((FileStorageFile)file).Mapping!, MaxPages, () => Volatile.Read(ref finished) == 1, problems))];
        foreach (Thread reader in readers)
            reader.Start();
        var rng = new Random(1);
        for (int round = 0; round < 400; round++)
        {
            int pages = rng.Next(1, MaxPages + 1);
            file.SetLength((long)pages * PageSize);
            file.SetLength((long)MaxPages * PageSize);
            WritePages(file, pages, MaxPages);
        }
        Volatile.Write(ref finished, 1);
        foreach (Thread reader in readers)
            reader.Join();
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public void A_region_replaced_while_a_page_is_lent_from_it_is_unmapped_once_the_loan_returns()
    {
        using SafeFileHandle handle = File.OpenHandle(Path.Combine(_directory, "regions"), FileMode.CreateNew, FileAccess.ReadWrite);
        var model = new List<byte>();
        WriteAt(handle, null, model, 0, RandomBytes(new Random(3), 8 * PageSize));
        using var mapping = new FileMapping(handle);
        Assert.That(mapping.TryLend(2 * PageSize, PageSize, out nint lent), Is.True);

        WriteAt(handle, mapping, model, 8 * PageSize, RandomBytes(new Random(4), 8 * PageSize));
        Assert.That(mapping.TryRead(12 * PageSize, new byte[PageSize]), Is.True, "the grown file is mapped again");
        Assert.That(mapping.RegionCount, Is.EqualTo(2), "the first region stays mapped while a page of it is lent");
        var held = new byte[PageSize];
        System.Runtime.InteropServices.Marshal.Copy(lent, held, 0, PageSize);
        Assert.That(held, Is.EqualTo(model.GetRange(2 * PageSize, PageSize).ToArray()));
        mapping.Return();

        SetLength(handle, mapping, model, 15 * PageSize);
        Assert.That(mapping.RegionCount, Is.EqualTo(1), "with no loan out, the next shrink unmaps the replaced region");
        var read = new byte[PageSize];
        Assert.That(mapping.TryRead(14 * PageSize, read), Is.True);
        Assert.That(read, Is.EqualTo(model.GetRange(14 * PageSize, PageSize).ToArray()));
        Assert.That(mapping.TryRead(15 * PageSize, read), Is.False, "nothing past the new end is served");
    }

    [Test]
    public void Only_the_holder_of_the_writer_lock_may_map_a_file()
    {
        using IStorageFile file = FileStorage.Instance.Open(Path.Combine(_directory, "unlocked"), StorageOpenMode.CreateIfMissing);
        Assert.That(() => ((FileStorageFile)file).MapForReading(), Throws.InvalidOperationException);
    }

    [Test]
    public void A_writer_maps_its_file_and_a_read_only_open_reads_with_pread()
    {
        string path = Path.Combine(_directory, "db.pagedb");
        using DatabaseFile writer = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.CreateIfMissing, mapForReading: true);
        using DatabaseFile reader = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadOnly, mapForReading: true);
        using DatabaseFile unmapped = DatabaseFile.Open(FileStorage.Instance, Path.Combine(_directory, "other.pagedb"), StorageOpenMode.CreateIfMissing);
        Assert.That(writer.IsMapped, Is.True);
        Assert.That(reader.IsMapped, Is.False, "another process's writer may shrink the file under a read-only open");
        Assert.That(unmapped.IsMapped, Is.False);
    }

    [Test]
    public void A_damaged_page_read_through_the_mapping_is_refused_as_corrupt()
    {
        string path = Path.Combine(_directory, "damaged.pagedb");
        using (DatabaseFile created = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.CreateIfMissing))
        {
            var header = new byte[PageSize];
            created.ReadHeader(header);
            _ = new FileHeaderPage(header) { PageCount = 4 };
            created.SetPageCount(4);
            created.WriteHeader(header);
            for (uint n = 1; n < 4; n++)
            {
                var page = new byte[PageSize];
                PageHeader.Initialize(page, PageType.Overflow, new PageNumber(n));
                created.WritePage(new PageNumber(n), page);
            }
        }
        using (FileStream stream = File.OpenWrite(path))
        {
            stream.Position = 2L * PageSize + 100;
            stream.WriteByte(0x5A);
        }
        using DatabaseFile file = DatabaseFile.Open(FileStorage.Instance, path, StorageOpenMode.ReadWrite, mapForReading: true);
        Assert.That(file.IsMapped, Is.True);
        file.ReadPage(new PageNumber(1), new byte[PageSize]);
        Assert.That(() => file.ReadPage(new PageNumber(2), new byte[PageSize]),
            Throws.InstanceOf<CorruptDatabaseException>().With.Property(nameof(CorruptDatabaseException.PageNumber)).EqualTo(2)
                .And.Message.Contains("checksum"));
    }

    private static bool ReadAndCompare(FileMapping mapping, List<byte> model, Random rng, string context)
    {
        int offset = rng.Next(model.Count + PageSize);
        var read = new byte[rng.Next(1, 3 * PageSize)];
        if (!mapping.TryRead(offset, read))
        {
            Assert.That(offset + read.Length > mapping.MappedLength, Is.True, $"a read inside the view was not served; {context}");
            return false;
        }
        Assert.That(offset + read.Length, Is.LessThanOrEqualTo(model.Count), $"served past the end; {context}");
        Assert.That(read, Is.EqualTo(model.GetRange(offset, read.Length).ToArray()), $"read {read.Length} at {offset}; {context}");
        return true;
    }

    /// <summary>Writes as the mapping's owner does: the write, then its extent reported to the mapping.</summary>
    private static void WriteAt(SafeFileHandle handle, FileMapping? mapping, List<byte> model, int offset, byte[] bytes)
    {
        RandomAccess.Write(handle, bytes, offset);
        mapping?.NoteExtent(offset + bytes.Length);
        while (model.Count < offset + bytes.Length)
            model.Add(0);
        for (int i = 0; i < bytes.Length; i++)
            model[offset + i] = bytes[i];
    }

    private static void SetLength(SafeFileHandle handle, FileMapping mapping, List<byte> model, int length)
    {
        using (mapping.UnmapBeforeSetLength(length))
            RandomAccess.SetLength(handle, length);
        if (length < model.Count)
            model.RemoveRange(length, model.Count - length);
        while (model.Count < length)
            model.Add(0);
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Page n holds the byte n+1 throughout, so a reader can tell a right page from a wrong one.</summary>
    private static void WritePages(IStorageFile file, int from, int to)
    {
        var page = new byte[PageSize];
        for (int n = from; n < to; n++)
        {
            Array.Fill(page, (byte)(n + 1));
            file.Write((long)n * PageSize, page);
        }
    }

    /// <summary>
    /// A page reads whole or not at all (cut off), holding its own bytes or zeros (extended, not yet rewritten; a copy
    /// racing the rewrite may hold both: the engine never reads a page while it writes it, this test does).
    /// </summary>
    /// <summary>Holds up to eight pages lent at once, across shrinks: each byte is the page's fill or a zero (cut), never a fault.</summary>
    private static void LendUntil(FileMapping mapping, int maxPages, Func<bool> finished, System.Collections.Concurrent.ConcurrentQueue<string> problems)
    {
        var rng = new Random(7);
        var held = new Queue<(nint Address, int Page)>();
        var page = new byte[PageSize];
        while (!finished())
        {
            int n = rng.Next(maxPages);
            if (mapping.TryLend((long)n * PageSize, PageSize, out nint address))
                held.Enqueue((address, n));
            if (held.Count < 8 && !finished())
                continue;
            (nint oldest, int number) = held.Dequeue();
            System.Runtime.InteropServices.Marshal.Copy(oldest, page, 0, PageSize);
            mapping.Return();
            if (page.AsSpan().ContainsAnyExcept((byte)(number + 1), (byte)0))
                problems.Enqueue($"lent page {number}: a byte neither its fill nor zero");
        }
        while (held.Count > 0)
        {
            held.Dequeue();
            mapping.Return();
        }
    }

    private static void ReadUntil(IStorageFile file, int maxPages, int seed, Func<bool> finished, System.Collections.Concurrent.ConcurrentQueue<string> problems)
    {
        var rng = new Random(seed);
        var page = new byte[PageSize];
        while (!finished())
        {
            int n = rng.Next(maxPages);
            int read = file.Read((long)n * PageSize, page);
            bool right = read == 0 || (read == PageSize && !page.AsSpan().ContainsAnyExcept((byte)(n + 1), (byte)0));
            if (!right)
                problems.Enqueue($"page {n}: read {read} bytes starting {page[0]}");
        }
    }
}
