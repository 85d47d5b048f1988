using System.Collections.Concurrent;
using PageDb.Core.Pages;
using PageDb.Testing;
using PageDb.Wal;

namespace PageDb.Wal.Tests;

/// <summary>
/// A WAL over memory storage plus a dictionary standing in for the database file (the checkpoint target), and the
/// reader logic of the engine: the snapshot's frame from the log, else the database file.
/// </summary>
internal sealed class WalHarness : IDisposable
{
    public const string DatabasePath = "test.pagedb";
    public const ulong DatabaseId = 0x0123_4567_89AB_CDEF;
    public static readonly string WalPath = WriteAheadLog.PathFor(DatabasePath);

    public WalHarness(int pageSize = 4096, bool compress = false, IStorage? storage = null, bool syncEnabled = true)
    {
        Options = new WalOptions
        {
            PageSize = pageSize, DatabaseId = DatabaseId, CompressFrames = compress, GrowthStep = 64 * 1024,
            SyncEnabled = syncEnabled,
        };
        Storage = storage ?? new MemoryStorage();
        Wal = WriteAheadLog.Open(Storage, DatabasePath, Options);
    }

    public WalOptions Options { get; }
    public IStorage Storage { get; }
    public WriteAheadLog Wal { get; private set; }
    public MemoryCheckpointTarget Database { get; } = new();
    public int PageSize => Options.PageSize;

    /// <summary>Closes and reopens the log (recovery), keeping the storage and the database; the open gets a failure state of its own.</summary>
    public void Reopen()
    {
        Wal.Dispose();
        Wal = WriteAheadLog.Open(Storage, DatabasePath, Options with { Failure = new FailureState() });
        Wal.Verify();
    }

    /// <summary>Page <paramref name="page"/> as the snapshot <paramref name="mark"/> sees it; null when it exists nowhere.</summary>
    public byte[]? Read(uint page, WalMark mark)
    {
        FrameIndex frame = Wal.FindFrame(new PageNumber(page), mark);
        if (!frame.IsNone)
        {
            byte[] image = new byte[PageSize];
            if (Wal.TryReadFrame(frame, image))
                return image;
        }
        return Database.Pages.TryGetValue(page, out byte[]? stored) ? stored : null;
    }

    /// <summary>Asserts that the snapshot <paramref name="mark"/> shows exactly <paramref name="expected"/>.</summary>
    public void AssertState(IReadOnlyDictionary<uint, byte[]> expected, IEnumerable<uint> pagesToCheck, WalMark mark, string context)
    {
        foreach (uint page in pagesToCheck)
        {
            byte[]? actual = Read(page, mark);
            // NUnit's collection equality is slow over pages; compare spans and only describe a mismatch.
            bool same = expected.TryGetValue(page, out byte[]? image)
                ? actual is not null && actual.AsSpan().SequenceEqual(image)
                : actual is null;
            if (!same)
                Assert.That(actual, Is.EqualTo(image), $"page {page} at mark {mark}: {context}");
        }
    }

    /// <summary>Appends a transaction (the last page as the commit frame) and records it in <paramref name="model"/>.</summary>
    public WalMark CommitTransaction(CommittedPagesModel model, IReadOnlyList<(uint Page, byte[] Image)> pages, bool sync = false)
    {
        for (int i = 0; i < pages.Count - 1; i++)
        {
            Wal.Append(new PageNumber(pages[i].Page), pages[i].Image);
            model.Write(pages[i].Page, pages[i].Image);
        }
        (uint lastPage, byte[] lastImage) = pages[^1];
        WalMark mark = Wal.Commit(new PageNumber(lastPage), lastImage, DatabaseSizeFor(model, pages), sync);
        model.Write(lastPage, lastImage);
        model.Commit();
        Wal.Verify();
        return mark;
    }

    public void Dispose() => Wal.Dispose();

    private static uint DatabaseSizeFor(CommittedPagesModel model, IReadOnlyList<(uint Page, byte[] Image)> pages)
    {
        uint max = 0;
        foreach (uint page in model.AllPages)
            max = Math.Max(max, page);
        foreach ((uint page, _) in pages)
            max = Math.Max(max, page);
        return max + 1;
    }
}

/// <summary>The database file as a dictionary of immutable page images; safe for concurrent readers.</summary>
internal sealed class MemoryCheckpointTarget : ICheckpointTarget
{
    public ConcurrentDictionary<uint, byte[]> Pages { get; } = new();
    public uint PageCount { get; private set; }
    public int Syncs { get; private set; }
    public int Writes { get; private set; }
    public bool FailSync { get; set; }

    public void BeginCopy()
    {
    }

    public void WritePage(PageNumber page, ReadOnlySpan<byte> image)
    {
        Pages[page.Value] = image.ToArray();
        Writes++;
    }

    public void SetPageCount(uint pageCount) => PageCount = pageCount;

    public void Sync()
    {
        if (FailSync)
            throw new IOException("injected database sync failure");
        Syncs++;
    }
}

/// <summary>Page images and transactions for the tests.</summary>
internal static class Pages
{
    /// <summary>A page image: its number, then random bytes in the first part and zeros after (like a half-full page).</summary>
    public static byte[] Random(Random random, int pageSize, uint page)
    {
        byte[] image = new byte[pageSize];
        random.NextBytes(image.AsSpan(0, random.Next(16, pageSize)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), page);
        return image;
    }

    /// <summary>A transaction of 1 to <paramref name="maxPages"/> distinct pages out of <paramref name="pageCount"/>.</summary>
    public static List<(uint Page, byte[] Image)> Transaction(Random random, int pageSize, int pageCount, int maxPages)
    {
        int count = random.Next(1, maxPages + 1);
        var pages = new List<(uint, byte[])>();
        var used = new HashSet<uint>();
        while (pages.Count < count)
        {
            uint page = (uint)random.Next(pageCount);
            if (used.Add(page))
                pages.Add((page, Random(random, pageSize, page)));
        }
        return pages;
    }

    /// <summary>
    /// A B-tree-leaf-like page: a 16-byte header, a cell-pointer array, and text-key cells packed from the end until the
    /// page is about half full; the middle is free (zeros).
    /// </summary>
    public static byte[] LeafLike(Random random, int pageSize, uint page)
    {
        byte[] image = new byte[pageSize];
        image[0] = 5;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), page);
        int cellEnd = pageSize;
        int pointer = 24;
        int key = random.Next(100_000);
        string[] words = ["alpha", "customer", "order", "invoice", "berlin", "paris", "shipped", "pending", "total"];
        while (cellEnd > pageSize / 2 + 64)
        {
            key += random.Next(1, 50);
            string text = $"{words[random.Next(words.Length)]}/{key:D8}:{words[random.Next(words.Length)]} {random.Next(1000)}";
            byte[] cell = System.Text.Encoding.UTF8.GetBytes(text);
            cellEnd -= cell.Length + 2;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(cellEnd), (ushort)cell.Length);
            cell.CopyTo(image.AsSpan(cellEnd + 2));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(pointer), (ushort)cellEnd);
            pointer += 2;
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(16), (ushort)((pointer - 24) / 2));
        return image;
    }
}
