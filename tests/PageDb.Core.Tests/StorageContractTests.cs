using NUnit.Framework;
namespace PageDb.Core.Tests;

/// <summary>
/// What every <see cref="IStorage"/> must do, run against each implementation by a derived fixture
/// (<see cref="FileStorageTests"/>, <see cref="MemoryStorageTests"/>).
/// </summary>
public abstract class StorageContractTests
{
    protected abstract IStorage Storage { get; }

    /// <summary>A path, unique within the test, that the storage can create.</summary>
    protected abstract string PathFor(string name);

    [Test]
    public void Written_bytes_read_back_at_any_offset()
    {
        string path = PathFor("a");
        using IStorageFile file = Storage.Open(path, StorageOpenMode.CreateIfMissing);
        byte[] first = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        file.Write(0, first);
        file.Write(10_000, [1, 2, 3]);

        Assert.That(file.Length, Is.EqualTo(10_003));
        var back = new byte[5000];
        Assert.That(file.Read(0, back), Is.EqualTo(5000));
        Assert.That(back, Is.EqualTo(first));
        var gap = new byte[100];
        Assert.That(file.Read(5000, gap), Is.EqualTo(100));
        Assert.That(gap, Is.All.EqualTo(0), "the hole between writes reads as zeros");
    }

    [Test]
    public void Read_at_end_returns_only_what_is_there()
    {
        using IStorageFile file = Storage.Open(PathFor("a"), StorageOpenMode.CreateIfMissing);
        file.Write(0, new byte[100]);
        var buffer = new byte[64];
        Assert.That(file.Read(80, buffer), Is.EqualTo(20));
        Assert.That(file.Read(100, buffer), Is.Zero);
        Assert.That(file.Read(5000, buffer), Is.Zero);
        Assert.That(file.TryReadExactly(80, buffer), Is.False);
    }

    [Test]
    public void Contents_survive_close_and_reopen()
    {
        string path = PathFor("a");
        using (IStorageFile file = Storage.Open(path, StorageOpenMode.CreateIfMissing))
        {
            file.Write(0, [9, 8, 7]);
            file.Sync();
            file.Sync(includeMetadata: true);
        }
        Storage.SyncDirectory(path);
        using IStorageFile again = Storage.Open(path, StorageOpenMode.ReadOnly);
        var back = new byte[3];
        Assert.That(again.Read(0, back), Is.EqualTo(3));
        Assert.That(back, Is.EqualTo(new byte[] { 9, 8, 7 }));
    }

    [TestCase(StorageOpenMode.ReadOnly)]
    [TestCase(StorageOpenMode.ReadWrite)]
    public void Opening_a_missing_file_without_create_throws_FileNotFound(StorageOpenMode mode)
    {
        string path = PathFor("missing");
        Assert.That(() => Storage.Open(path, mode), Throws.InstanceOf<FileNotFoundException>());
        Assert.That(Storage.Exists(path), Is.False, "a failed open must not create the file");
    }

    [Test]
    public void SetLength_truncates_and_extends_with_zeros()
    {
        using IStorageFile file = Storage.Open(PathFor("a"), StorageOpenMode.CreateIfMissing);
        file.Write(0, Enumerable.Repeat((byte)0xAB, 1000).ToArray());
        file.SetLength(10);
        Assert.That(file.Length, Is.EqualTo(10));
        file.SetLength(50);
        var back = new byte[50];
        Assert.That(file.Read(0, back), Is.EqualTo(50));
        Assert.That(back[..10], Is.All.EqualTo(0xAB));
        Assert.That(back[10..], Is.All.EqualTo(0), "bytes cut off by a truncation must not come back");
    }

    [Test]
    public void Writes_to_a_read_only_file_fail_with_an_IO_error_naming_the_file()
    {
        string path = PathFor("ro");
        using (IStorageFile file = Storage.Open(path, StorageOpenMode.CreateIfMissing))
            file.Write(0, [1]);
        using IStorageFile readOnly = Storage.Open(path, StorageOpenMode.ReadOnly);
        Assert.That(() => readOnly.Write(0, [2]),
            Throws.InstanceOf<PageDbIOException>().With.Message.Contains(path));
        Assert.That(() => readOnly.SetLength(0), Throws.InstanceOf<PageDbIOException>());
    }

    [Test]
    public void Lock_is_exclusive_between_two_opens_and_released_on_dispose()
    {
        string path = PathFor("locked");
        IStorageFile first = Storage.Open(path, StorageOpenMode.CreateIfMissing);
        using IStorageFile second = Storage.Open(path, StorageOpenMode.ReadWrite);
        Assert.That(first.TryLockExclusive(), Is.True);
        Assert.That(first.TryLockExclusive(), Is.True, "taking a lock already held by the same file is a no-op");
        Assert.That(second.TryLockExclusive(), Is.False);

        using (IStorageFile reader = Storage.Open(path, StorageOpenMode.ReadOnly))
            Assert.That(reader.Length, Is.Zero, "readers may open a locked file");

        first.Dispose();
        Assert.That(second.TryLockExclusive(), Is.True, "the lock is released when its holder is disposed");
    }

    [Test]
    public void Locks_are_per_file()
    {
        using IStorageFile a = Storage.Open(PathFor("a"), StorageOpenMode.CreateIfMissing);
        using IStorageFile b = Storage.Open(PathFor("b"), StorageOpenMode.CreateIfMissing);
        Assert.That(a.TryLockExclusive(), Is.True);
        Assert.That(b.TryLockExclusive(), Is.True);
    }

    [Test]
    public void Delete_removes_the_file()
    {
        string path = PathFor("a");
        using (Storage.Open(path, StorageOpenMode.CreateIfMissing)) { }
        Assert.That(Storage.Exists(path), Is.True);
        Storage.Delete(path);
        Assert.That(Storage.Exists(path), Is.False);
        Assert.That(() => Storage.Delete(path), Throws.Nothing, "deleting a missing file is not an error");
    }

    [Test]
    public void Concurrent_positional_writes_and_reads_do_not_interfere()
    {
        using IStorageFile file = Storage.Open(PathFor("a"), StorageOpenMode.CreateIfMissing);
        const int Threads = 4, Blocks = 64, BlockSize = 512;
        Parallel.For(0, Threads, t =>
        {
            var block = new byte[BlockSize];
            for (int b = t; b < Blocks; b += Threads)
            {
                Array.Fill(block, (byte)b);
                file.Write((long)b * BlockSize, block);
            }
        });
        var failures = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, Blocks, b =>
        {
            var block = new byte[BlockSize];
            if (file.Read((long)b * BlockSize, block) != BlockSize || block.Any(x => x != (byte)b))
                failures.Add(b);
        });
        Assert.That(failures, Is.Empty, "blocks read back wrong");
    }
}
