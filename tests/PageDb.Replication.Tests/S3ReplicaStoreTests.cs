namespace PageDb.Replication.Tests;

/// <summary>
/// The <see cref="IReplicaStore"/> contract over <see cref="S3ReplicaStore"/> against a real S3-compatible server
/// (<see cref="S3rverProcess"/>), plus listing across pages and the failures only a server can give.
/// </summary>
[NonParallelizable]
public sealed class S3ReplicaStoreTests : ReplicaStoreContractTests
{
    private S3rverProcess _server = null!;

    [OneTimeSetUp]
    public void StartServer() => _server = S3rverProcess.Start();

    [OneTimeTearDown]
    public void StopServer() => _server?.Dispose();

    protected override IReplicaStore CreateStore(string root) => Store(S3rverProcess.Bucket, "replicas/" + root);

    [Test]
    public async Task A_list_longer_than_one_page_is_read_to_its_end()
    {
        using S3ReplicaStore store = Store(S3rverProcess.Bucket, "paged", listPageSize: 2);
        for (int i = 0; i < 7; i++)
            await store.PutAsync($"p/{i}", new MemoryStream([(byte)i]));

        IReadOnlyList<ReplicaObject> listed = await store.ListAsync("p/");

        Assert.That(listed.Select(o => o.Key), Is.EqualTo(Enumerable.Range(0, 7).Select(i => $"p/{i}")));
    }

    [Test]
    public void A_missing_bucket_is_a_store_failure_naming_the_bucket()
    {
        using S3ReplicaStore store = Store("no-such-bucket", "");

        var put = Assert.ThrowsAsync<ReplicaStoreException>(() => store.PutAsync("k", new MemoryStream([1])));
        var get = Assert.ThrowsAsync<ReplicaStoreException>(() => store.TryGetAsync("k", Stream.Null));
        var list = Assert.ThrowsAsync<ReplicaStoreException>(() => store.ListAsync(""));

        Assert.That(put!.Store, Does.StartWith("s3://no-such-bucket/"));
        Assert.That(get!.Message, Does.Contain("get of 'k' failed on s3://no-such-bucket/"));
        Assert.That(list!.Key, Is.Empty);
    }

    [Test]
    public void Wrong_credentials_are_a_store_failure()
    {
        using var store = new S3ReplicaStore(new S3ReplicaStoreOptions
        {
            Bucket = S3rverProcess.Bucket,
            ServiceUrl = _server.Endpoint,
            AccessKey = "not-the-key",
            SecretKey = "not-the-secret",
        });

        Assert.ThrowsAsync<ReplicaStoreException>(() => store.PutAsync("k", new MemoryStream([1])));
    }

    private S3ReplicaStore Store(string bucket, string prefix, int listPageSize = 1000) => new(new S3ReplicaStoreOptions
    {
        Bucket = bucket,
        Prefix = prefix,
        ServiceUrl = _server.Endpoint,
        AccessKey = S3rverProcess.AccessKey,
        SecretKey = S3rverProcess.AccessKey,
        ListPageSize = listPageSize,
    });
}
