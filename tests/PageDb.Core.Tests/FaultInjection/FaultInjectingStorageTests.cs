using NUnit.Framework;
using PageDb.Testing;
using PageDb.Testing.FaultInjection;

namespace PageDb.Core.Tests.FaultInjection;

/// <summary>
/// The fault-injecting storage keeps the storage contract while nothing goes wrong, and models a crash the way the
/// hardware assumptions say a disk may behave: synced data survives, unsynced data is lost, kept or torn per sector,
/// sizes land independently of contents, directory entries need a directory sync. Crashes and failures on demand.
/// </summary>
[TestFixture]
public sealed class FaultInjectingStorageTests : StorageContractTests
{
    private const string FilePath = "dir/a.db";
    private FaultInjectingStorage _storage = null!;

    protected override IStorage Storage => _storage;

    protected override string PathFor(string name) => "dir/" + name;

    [SetUp]
    public void CreateStorage() => _storage = new FaultInjectingStorage();

    [Test]
    public void A_synced_write_survives_every_crash()
    {
        int seed = TestSeed.Next();
        for (int i = 0; i < 200; i++)
        {
            var storage = new FaultInjectingStorage();
            byte[] data = Pattern(8192, 7);
            using (IStorageFile file = storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
            {
                file.Write(0, data);
                file.Sync();
                storage.SyncDirectory(FilePath);
                file.Write(8192, Pattern(4096, 9)); // unsynced: may land or not
            }
            storage.Crash(seed + i);
            byte[] after = storage.GetContents(FilePath);
            Assert.That(after.AsSpan(0, 8192).SequenceEqual(data), Is.True, $"crash {i}; {TestSeed.Describe(seed)}");
        }
    }

    [Test]
    public void An_unsynced_page_write_is_lost_kept_or_torn_at_sectors()
    {
        int seed = TestSeed.Next();
        byte[] oldPage = Pattern(4096, 1), newPage = Pattern(4096, 2);
        bool sawLost = false, sawKept = false, sawTorn = false;
        for (int i = 0; i < 300; i++)
        {
            var storage = new FaultInjectingStorage();
            using (IStorageFile file = storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
            {
                file.Write(0, oldPage);
                file.Sync();
                storage.SyncDirectory(FilePath);
                file.Write(0, newPage);
            }
            storage.Crash(seed + i);
            byte[] after = storage.GetContents(FilePath);
            Assert.That(after, Has.Length.EqualTo(4096));
            int newSectors = 0;
            for (int s = 0; s < 8; s++)
            {
                ReadOnlySpan<byte> sector = after.AsSpan(s * 512, 512);
                bool isNew = sector.SequenceEqual(newPage.AsSpan(s * 512, 512));
                bool isOld = sector.SequenceEqual(oldPage.AsSpan(s * 512, 512));
                Assert.That(isNew || isOld, Is.True, $"sector {s} is neither old nor new; {TestSeed.Describe(seed + i)}");
                newSectors += isNew ? 1 : 0;
            }
            sawLost |= newSectors == 0;
            sawKept |= newSectors == 8;
            sawTorn |= newSectors is > 0 and < 8;
        }
        Assert.That((sawLost, sawKept, sawTorn), Is.EqualTo((true, true, true)), TestSeed.Describe(seed));
    }

    [Test]
    public void A_new_size_may_land_before_the_contents_and_reads_as_zeros()
    {
        int seed = TestSeed.Next();
        bool sawZeros = false, sawShort = false, sawData = false;
        for (int i = 0; i < 300 && !(sawZeros && sawShort && sawData); i++)
        {
            var storage = new FaultInjectingStorage();
            using (IStorageFile file = storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
            {
                file.Write(0, Pattern(4096, 1));
                file.Sync();
                storage.SyncDirectory(FilePath);
                file.Write(4096, Pattern(4096, 3));
            }
            storage.Crash(seed + i);
            byte[] after = storage.GetContents(FilePath);
            if (after.Length == 4096)
            {
                sawShort = true;
                continue;
            }
            Assert.That(after, Has.Length.EqualTo(8192), TestSeed.Describe(seed + i));
            sawZeros |= after.AsSpan(4096).IndexOfAnyExcept((byte)0) < 0;
            sawData |= after.AsSpan(4096).SequenceEqual(Pattern(4096, 3));
        }
        Assert.That((sawZeros, sawShort, sawData), Is.EqualTo((true, true, true)), TestSeed.Describe(seed));
    }

    [Test]
    public void A_new_file_lasts_only_after_its_directory_is_synced()
    {
        using (IStorageFile file = _storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
        {
            file.Write(0, [1, 2, 3]);
            file.Sync(includeMetadata: true);
        }
        _storage.Crash(1);
        Assert.That(_storage.Exists(FilePath), Is.False, "a synced file whose directory entry was not synced is gone");

        using (IStorageFile file = _storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
        {
            file.Write(0, [1, 2, 3]);
            file.Sync();
        }
        _storage.SyncDirectory("dir/other");
        _storage.Delete(FilePath);
        _storage.Crash(2);
        Assert.That(_storage.GetContents(FilePath), Is.EqualTo(new byte[] { 1, 2, 3 }), "an unsynced deletion is undone");

        _storage.Delete(FilePath);
        _storage.SyncDirectory(FilePath);
        _storage.Crash(3);
        Assert.That(_storage.Exists(FilePath), Is.False, "a synced deletion lasts");
    }

    [Test]
    public void A_directory_sync_covers_only_its_own_directory()
    {
        using (IStorageFile file = _storage.Open("x/a", StorageOpenMode.CreateIfMissing))
            file.Sync();
        using (IStorageFile file = _storage.Open("y/b", StorageOpenMode.CreateIfMissing))
            file.Sync();
        _storage.SyncDirectory("x/anything");
        _storage.Crash(1);
        Assert.That((_storage.Exists("x/a"), _storage.Exists("y/b")), Is.EqualTo((true, false)));
    }

    [Test]
    public void The_crash_call_and_every_later_call_throw_until_the_crash_is_built()
    {
        IStorageFile file = _storage.Open(FilePath, StorageOpenMode.CreateIfMissing);
        Assert.That(file.TryLockExclusive(), Is.True);
        file.Write(0, Pattern(512, 1));
        file.Sync();
        _storage.SyncDirectory(FilePath);
        _storage.CrashAtCall = _storage.Calls + 2;
        file.Write(512, Pattern(512, 2)); // call +1 succeeds
        Assert.Throws<SimulatedCrashException>(() => file.Write(1024, Pattern(512, 3)), "call +2 crashes");
        Assert.That(_storage.HasCrashed, Is.True);
        Assert.Throws<SimulatedCrashException>(() => file.Read(0, new byte[10]));
        Assert.Throws<SimulatedCrashException>(() => file.Sync());
        Assert.Throws<SimulatedCrashException>(() => _storage.Open("dir/b", StorageOpenMode.CreateIfMissing));

        _storage.Crash(5);
        Assert.That(_storage.HasCrashed, Is.False);
        Assert.Throws<SimulatedCrashException>(() => file.Read(0, new byte[10]), "a handle from before the crash is dead");
        file.Dispose();
        using IStorageFile reopened = _storage.Open(FilePath, StorageOpenMode.ReadWrite);
        Assert.That(reopened.TryLockExclusive(), Is.True, "the crash released the lock, and the dead handle's dispose did not take it");
        Assert.That(reopened.Length, Is.AnyOf(512L, 1024L, 1536L));
        var first = new byte[512];
        reopened.Read(0, first);
        Assert.That(first, Is.EqualTo(Pattern(512, 1)));
    }

    [Test]
    public void A_failure_on_demand_is_an_IO_exception_that_changes_nothing()
    {
        using IStorageFile file = _storage.Open(FilePath, StorageOpenMode.CreateIfMissing);
        file.Write(0, Pattern(100, 1));
        _storage.FailCall(_storage.Calls + 1, IoFailure.DiskFull);
        var e = Assert.Throws<PageDbIOException>(() => file.Write(100, Pattern(100, 2)));
        Assert.That(e!.Message, Does.Contain("No space left"));
        Assert.That(file.Length, Is.EqualTo(100), "a failed write writes nothing");
        file.Write(100, Pattern(100, 2)); // the failure was for one call only
        Assert.That(file.Length, Is.EqualTo(200));

        _storage.FailEvery(IoCallKind.Sync);
        Assert.Throws<PageDbIOException>(() => file.Sync());
        Assert.Throws<PageDbIOException>(() => file.Sync());
        Assert.DoesNotThrow(() => file.Read(0, new byte[10]));
        _storage.ClearFailures();
        Assert.DoesNotThrow(() => file.Sync());
        Assert.That(_storage.InjectedFailures, Is.EqualTo(3));
        Assert.That(_storage.CallsOf(IoCallKind.Sync), Is.EqualTo(3));
        Assert.That(_storage.CallsOf(IoCallKind.Write), Is.EqualTo(3));
    }

    [Test]
    public void A_failed_sync_drops_its_writes_from_write_back_but_reads_see_them_until_a_crash()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var storage = new FaultInjectingStorage();
            byte[] synced = Pattern(4096, 1), dropped = Pattern(4096, 2), later = Pattern(4096, 3);
            using (IStorageFile file = storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
            {
                file.Write(0, synced);
                file.Sync();
                storage.SyncDirectory(FilePath);
                file.Write(0, dropped);
                storage.FailCall(storage.Calls + 1);
                Assert.Throws<PageDbIOException>(() => file.Sync(), "EIO");
                var cached = new byte[4096];
                file.Read(0, cached);
                Assert.That(cached, Is.EqualTo(dropped), "the page cache still shows the write");
                file.Sync(); // succeeds, as Linux's next fsync does, without the dropped write
                file.Write(4096, later);
                file.Sync();
            }
            storage.Crash(seed);
            byte[] disk = storage.GetContents(FilePath);
            Assert.That(disk[..4096], Is.EqualTo(synced), $"the write whose sync failed never reaches the disk; seed {seed}");
            Assert.That(disk[4096..], Is.EqualTo(later), $"seed {seed}");
        }
    }

    [Test]
    public void The_same_seed_builds_the_same_disk()
    {
        byte[] RunAndCrash(int seed)
        {
            var storage = new FaultInjectingStorage();
            using (IStorageFile file = storage.Open(FilePath, StorageOpenMode.CreateIfMissing))
            {
                file.Sync();
                storage.SyncDirectory(FilePath);
                for (int i = 0; i < 20; i++)
                    file.Write(i * 1000, Pattern(3000, (byte)i));
                file.SetLength(15_000);
            }
            storage.Crash(seed);
            return storage.GetContents(FilePath);
        }
        int seed = TestSeed.Next();
        byte[] first = RunAndCrash(seed);
        byte[] second = RunAndCrash(seed);
        Assert.That(second, Is.EqualTo(first), TestSeed.Describe(seed));
    }

    [Test]
    public void Calls_are_counted_by_kind_from_many_threads()
    {
        using IStorageFile file = _storage.Open(FilePath, StorageOpenMode.CreateIfMissing);
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 100; i++)
            {
                file.Write((t * 100 + i) * 16L, Pattern(16, (byte)t));
                file.Read(0, new byte[16]);
            }
        });
        Assert.That((_storage.CallsOf(IoCallKind.Write), _storage.CallsOf(IoCallKind.Read), _storage.Calls), Is.EqualTo((800L, 800L, 1601L)));
    }

    private static byte[] Pattern(int length, byte seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
            bytes[i] = (byte)(seed * 31 + i * 7 + (i >> 8));
        return bytes;
    }
}
