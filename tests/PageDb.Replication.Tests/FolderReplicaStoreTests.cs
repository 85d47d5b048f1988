namespace PageDb.Replication.Tests;

/// <summary>The <see cref="IReplicaStore"/> contract over <see cref="FolderReplicaStore"/>, plus what only a folder can show.</summary>
public sealed class FolderReplicaStoreTests : ReplicaStoreContractTests
{
    protected override IReplicaStore CreateStore(string root) => new FolderReplicaStore(Path.Combine(ScratchDirectory, root));

    [Test]
    public async Task Temporary_files_of_an_interrupted_put_are_never_listed()
    {
        string root = Path.Combine(ScratchDirectory, "interrupted");
        var store = new FolderReplicaStore(root);
        await store.PutAsync("g/one", new MemoryStream([1, 2, 3]));
        File.WriteAllBytes(Path.Combine(root, "g", ".one.0123.tmp"), [9]);

        Assert.That((await store.ListAsync("")).Select(o => o.Key), Is.EqualTo(new[] { "g/one" }));
    }

    [Test]
    public async Task A_store_whose_folder_is_missing_lists_nothing_and_a_put_creates_it()
    {
        var store = new FolderReplicaStore(Path.Combine(ScratchDirectory, "later", "deeper"));

        Assert.That(await store.ListAsync(""), Is.Empty);
        await store.PutAsync("x", new MemoryStream([7]));
        Assert.That(await store.ListAsync(""), Has.Count.EqualTo(1));
    }

    [Test]
    public void A_put_that_cannot_create_its_folder_fails_as_a_store_failure_naming_the_key()
    {
        string blocker = Path.Combine(ScratchDirectory, "a-file");
        File.WriteAllText(blocker, "");
        var store = new FolderReplicaStore(blocker);

        var error = Assert.ThrowsAsync<ReplicaStoreException>(() => store.PutAsync("k", new MemoryStream([1])));

        Assert.That(error!.Key, Is.EqualTo("k"));
        Assert.That(error.Message, Does.Contain("put of 'k' failed on folder"));
    }
}
