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
    public async Task A_listing_deletes_stale_temporary_files_of_killed_puts_and_keeps_fresh_ones_and_other_hidden_files()
    {
        string root = Path.Combine(ScratchDirectory, "killed");
        var store = new FolderReplicaStore(root);
        await store.PutAsync("g/one", new MemoryStream([1, 2, 3]));
        string folder = Path.Combine(root, "g");
        DateTime stale = DateTime.UtcNow - FolderReplicaStore.StaleTemporaryFileAge - TimeSpan.FromMinutes(1);
        string killed = Path.Combine(folder, $".two.{Guid.NewGuid():N}.tmp");
        string inFlight = Path.Combine(folder, $".three.{Guid.NewGuid():N}.tmp");
        string someoneElses = Path.Combine(folder, ".keep.tmp");
        string topLevelKilled = Path.Combine(root, $".four.{Guid.NewGuid():N}.tmp");
        foreach (string file in new[] { killed, inFlight, someoneElses, topLevelKilled })
            File.WriteAllBytes(file, [9]);
        foreach (string file in new[] { killed, someoneElses, topLevelKilled })
            File.SetLastWriteTimeUtc(file, stale);

        Assert.That((await store.ListAsync("g/")).Select(o => o.Key), Is.EqualTo(new[] { "g/one" }));

        Assert.That(File.Exists(killed), Is.False, "a put's temporary file unwritten for longer than the stale age");
        Assert.That(File.Exists(topLevelKilled), Is.False, "a stale temporary file outside the listed prefix");
        Assert.That(File.Exists(inFlight), Is.True, "a fresh temporary file may be another writer's put in flight");
        Assert.That(File.Exists(someoneElses), Is.True, "a hidden file not named like a put's temporary file");
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "one")), Is.EqualTo(new byte[] { 1, 2, 3 }));
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
