using NUnit.Framework;
namespace PageDb.Core.Tests;

[TestFixture]
public sealed class MemoryStorageTests : StorageContractTests
{
    private MemoryStorage _storage = null!;

    protected override IStorage Storage => _storage;

    protected override string PathFor(string name) => "/mem/" + name + ".pagedb";

    [SetUp]
    public void CreateStorage() => _storage = new MemoryStorage();

    [Test]
    public void A_deleted_file_stays_readable_through_open_handles_and_a_new_one_is_separate()
    {
        string path = PathFor("a");
        using IStorageFile old = _storage.Open(path, StorageOpenMode.CreateIfMissing);
        old.Write(0, [1, 2, 3]);
        _storage.Delete(path);
        using IStorageFile fresh = _storage.Open(path, StorageOpenMode.CreateIfMissing);
        Assert.That(fresh.Length, Is.Zero);
        Assert.That(old.Length, Is.EqualTo(3));
        Assert.That(fresh.TryLockExclusive(), Is.True);
        Assert.That(old.TryLockExclusive(), Is.True, "the deleted file's lock is its own");
    }

    [Test]
    public void GetContents_returns_a_copy_of_the_bytes()
    {
        string path = PathFor("a");
        using IStorageFile file = _storage.Open(path, StorageOpenMode.CreateIfMissing);
        file.Write(2, [5]);
        byte[] contents = _storage.GetContents(path);
        Assert.That(contents, Is.EqualTo(new byte[] { 0, 0, 5 }));
        contents[2] = 6;
        Assert.That(_storage.GetContents(path)[2], Is.EqualTo(5));
    }

    [Test]
    public void A_disposed_file_refuses_use()
    {
        IStorageFile file = _storage.Open(PathFor("a"), StorageOpenMode.CreateIfMissing);
        file.Dispose();
        Assert.That(() => file.Write(0, [1]), Throws.InstanceOf<ObjectDisposedException>());
    }
}
