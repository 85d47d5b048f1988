using System.Text;

namespace PageDb.Replication.Tests;

/// <summary>
/// The contract of <see cref="IReplicaStore"/> (invariants 1-6 on the interface), run against every implementation:
/// a derived fixture supplies a fresh, empty store per test.
/// </summary>
public abstract class ReplicaStoreContractTests
{
    private IReplicaStore _store = null!;

    /// <summary>A folder of this fixture's own, deleted after its last test: where local stores keep their files.</summary>
    protected string ScratchDirectory { get; private set; } = null!;

    [OneTimeSetUp]
    public void CreateScratchDirectory()
    {
        ScratchDirectory = Path.Combine(Path.GetTempPath(), "pagedb-replica-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(ScratchDirectory);
    }

    [OneTimeTearDown]
    public void DeleteScratchDirectory() => Directory.Delete(ScratchDirectory, recursive: true);

    /// <summary>A new store with no objects, rooted where no other test's store is.</summary>
    protected abstract IReplicaStore CreateStore(string root);

    [SetUp]
    public void CreateFreshStore() => _store = CreateStore("t" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DisposeStore() => (_store as IDisposable)?.Dispose();

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(1_000_003)]
    public async Task A_put_object_reads_back_byte_for_byte(int length)
    {
        byte[] content = new byte[length];
        new Random(length).NextBytes(content);

        await _store.PutAsync("generation-1/segment-000001", new MemoryStream(content));

        Assert.That(await GetAsync("generation-1/segment-000001"), Is.EqualTo(content));
        Assert.That(await _store.ListAsync(""), Is.EqualTo(new[] { new ReplicaObject("generation-1/segment-000001", length) }));
    }

    [Test]
    public async Task A_put_reads_its_stream_from_the_current_position_and_accepts_an_unseekable_one()
    {
        var seekable = new MemoryStream("skip-kept"u8.ToArray()) { Position = 5 };
        await _store.PutAsync("a", seekable);
        await _store.PutAsync("b", new UnseekableStream("streamed"u8.ToArray()));

        Assert.That(Encoding.ASCII.GetString((await GetAsync("a"))!), Is.EqualTo("kept"));
        Assert.That(Encoding.ASCII.GetString((await GetAsync("b"))!), Is.EqualTo("streamed"));
    }

    [Test]
    public async Task A_put_leaves_its_stream_open_for_the_caller_to_put_again()
    {
        var content = new MemoryStream("the same copy"u8.ToArray());
        await _store.PutAsync("k", content);

        Assert.That(content.CanRead, Is.True, "the store closed the caller's stream (invariant 6)");
        content.Position = 0; // the replicator rewinds its snapshot copy for the retry of a failed put
        await _store.PutAsync("k", content);
        Assert.That(Encoding.ASCII.GetString((await GetAsync("k"))!), Is.EqualTo("the same copy"));
    }

    [Test]
    public async Task A_put_replaces_the_object()
    {
        await _store.PutAsync("k", Content("first, and longer"));
        await _store.PutAsync("k", Content("second"));

        Assert.That(Encoding.ASCII.GetString((await GetAsync("k"))!), Is.EqualTo("second"));
        Assert.That((await _store.ListAsync("")).Single().Size, Is.EqualTo(6));
    }

    [Test]
    public async Task A_missing_object_is_not_found_and_nothing_is_written()
    {
        await _store.PutAsync("present", Content("x"));
        using var destination = new MemoryStream();

        Assert.That(await _store.TryGetAsync("absent", destination), Is.False);
        Assert.That(await _store.TryGetAsync("no/such/folder", destination), Is.False);
        Assert.That(destination.Length, Is.Zero);
    }

    [Test]
    public async Task A_list_returns_the_objects_under_the_prefix_in_key_order_with_their_sizes()
    {
        string[] keys = ["g2/s-0002", "g1/s-0010", "g1/s-0002", "g1/s-0001", "g10/s-0001", "g1=snapshot", "other"];
        foreach (string key in keys)
            await _store.PutAsync(key, Content(key));

        Assert.That(Keys(await _store.ListAsync("")), Is.EqualTo(keys.Order(StringComparer.Ordinal)));
        Assert.That(Keys(await _store.ListAsync("g1/")), Is.EqualTo(new[] { "g1/s-0001", "g1/s-0002", "g1/s-0010" }));
        Assert.That(Keys(await _store.ListAsync("g1")), Is.EqualTo(new[] { "g1/s-0001", "g1/s-0002", "g1/s-0010", "g10/s-0001", "g1=snapshot" }));
        Assert.That(await _store.ListAsync("nothing-here/"), Is.Empty);
        Assert.That((await _store.ListAsync("g2/")).Single(), Is.EqualTo(new ReplicaObject("g2/s-0002", 9)));
    }

    [Test]
    public async Task A_delete_removes_the_object_and_deleting_a_missing_one_succeeds()
    {
        await _store.PutAsync("d/one", Content("1"));
        await _store.PutAsync("d/two", Content("2"));

        await _store.DeleteAsync("d/one");
        await _store.DeleteAsync("d/one");
        await _store.DeleteAsync("never/was");

        Assert.That(Keys(await _store.ListAsync("")), Is.EqualTo(new[] { "d/two" }));
        Assert.That(await GetAsync("d/one"), Is.Null);
    }

    [Test]
    public async Task Concurrent_puts_of_different_keys_are_all_kept()
    {
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => _store.PutAsync($"c/{i:D3}", Content(new string('x', i)))));

        IReadOnlyList<ReplicaObject> listed = await _store.ListAsync("c/");
        Assert.That(listed.Select(o => o.Size), Is.EqualTo(Enumerable.Range(0, 24).Select(i => (long)i)));
    }

    [Test]
    public async Task Stores_rooted_apart_do_not_see_each_others_objects()
    {
        IReplicaStore other = CreateStore("u" + Guid.NewGuid().ToString("N"));
        try
        {
            await _store.PutAsync("same-key", Content("mine"));
            await other.PutAsync("same-key", Content("theirs"));

            Assert.That(Encoding.ASCII.GetString((await GetAsync("same-key"))!), Is.EqualTo("mine"));
            Assert.That(await _store.ListAsync(""), Has.Count.EqualTo(1));
        }
        finally
        {
            (other as IDisposable)?.Dispose();
        }
    }

    [TestCase("")]
    [TestCase("/leading")]
    [TestCase("trailing/")]
    [TestCase("a//b")]
    [TestCase("../escape")]
    [TestCase("a/../b")]
    [TestCase(".hidden")]
    [TestCase("space here")]
    [TestCase("back\\slash")]
    [TestCase("ünicode")]
    public void A_bad_key_is_refused_before_any_io(string key)
    {
        Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(key, Content("x")));
        Assert.ThrowsAsync<ArgumentException>(() => _store.TryGetAsync(key, Stream.Null));
        Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key));
    }

    [TestCase("/leading")]
    [TestCase("a//")]
    [TestCase("../")]
    public void A_bad_prefix_is_refused(string prefix)
    {
        Assert.ThrowsAsync<ArgumentException>(() => _store.ListAsync(prefix));
    }

    [Test]
    public void A_cancelled_call_throws_operation_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.CatchAsync<OperationCanceledException>(() => _store.PutAsync("k", Content("x"), cancelled.Token));
        Assert.CatchAsync<OperationCanceledException>(() => _store.ListAsync("", cancelled.Token));
        Assert.CatchAsync<OperationCanceledException>(() => _store.DeleteAsync("k", cancelled.Token));
    }

    private async Task<byte[]?> GetAsync(string key)
    {
        using var destination = new MemoryStream();
        return await _store.TryGetAsync(key, destination) ? destination.ToArray() : null;
    }

    private static MemoryStream Content(string text) => new(Encoding.ASCII.GetBytes(text));

    private static string[] Keys(IReadOnlyList<ReplicaObject> objects) => objects.Select(o => o.Key).ToArray();

    /// <summary>A stream that can only be read forward, as a network or a compressor gives.</summary>
    private sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
