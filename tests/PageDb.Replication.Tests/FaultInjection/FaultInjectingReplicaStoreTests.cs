using System.Text;
using PageDb.Testing;

namespace PageDb.Replication.Tests.FaultInjection;

/// <summary>
/// <see cref="FaultInjectingReplicaStore"/>: with every rate at zero it keeps the whole store contract (so a test that
/// fails over it failed for a fault it was given), and each fault does what it says.
/// </summary>
public sealed class FaultInjectingReplicaStoreTests : ReplicaStoreContractTests
{
    protected override IReplicaStore CreateStore(string root) =>
        new FaultInjectingReplicaStore(new FolderReplicaStore(Path.Combine(ScratchDirectory, root)), seed: 1);

    [Test]
    public async Task A_failed_call_never_reaches_the_store()
    {
        var inner = new FolderReplicaStore(Path.Combine(ScratchDirectory, "failing"));
        var store = new FaultInjectingReplicaStore(inner, seed: 2) { FailureRate = 1 };

        Assert.ThrowsAsync<ReplicaStoreException>(() => store.PutAsync("k", Content("x")));
        Assert.ThrowsAsync<ReplicaStoreException>(() => store.ListAsync(""));
        Assert.ThrowsAsync<ReplicaStoreException>(() => store.TryGetAsync("k", Stream.Null));
        Assert.ThrowsAsync<ReplicaStoreException>(() => store.DeleteAsync("k"));

        Assert.That(await inner.ListAsync(""), Is.Empty);
        Assert.That(store.Injected.Failures, Is.EqualTo(4));
    }

    [Test]
    public async Task An_ambiguous_put_is_stored_although_it_reports_failure()
    {
        var inner = new FolderReplicaStore(Path.Combine(ScratchDirectory, "ambiguous"));
        var store = new FaultInjectingReplicaStore(inner, seed: 3) { AmbiguousPutRate = 1 };

        Assert.ThrowsAsync<ReplicaStoreException>(() => store.PutAsync("k", Content("stored anyway")));

        Assert.That(await Read(inner, "k"), Is.EqualTo("stored anyway"));
    }

    [Test]
    public async Task A_late_duplicate_overwrites_a_newer_put_of_its_key()
    {
        var inner = new FolderReplicaStore(Path.Combine(ScratchDirectory, "late"));
        var store = new FaultInjectingReplicaStore(inner, seed: 4) { LateDuplicateRate = 1 };
        await store.PutAsync("k", Content("old"));
        store.LateDuplicateRate = 0;

        await inner.PutAsync("k", Content("new"));
        await store.PutAsync("other", Content("o"));

        Assert.That(await Read(inner, "k"), Is.EqualTo("old"), "the first put landed again after the newer one");
        Assert.That(store.Injected.LateDuplicates, Is.EqualTo(1));
    }

    [Test]
    public async Task The_same_seed_injects_the_same_faults()
    {
        int seed = TestSeed.Next();
        string[] first = await Outcomes(seed), second = await Outcomes(seed);

        Assert.That(second, Is.EqualTo(first), TestSeed.Describe(seed));
        Assert.That(first.Distinct().Count(), Is.GreaterThan(1), "a mix of outcomes; " + TestSeed.Describe(seed));
    }

    private async Task<string[]> Outcomes(int seed)
    {
        var inner = new FolderReplicaStore(Path.Combine(ScratchDirectory, "seeded-" + Guid.NewGuid().ToString("N")));
        var store = new FaultInjectingReplicaStore(inner, seed) { FailureRate = 0.3, AmbiguousPutRate = 0.3 };
        var outcomes = new string[40];
        for (int i = 0; i < outcomes.Length; i++)
        {
            try
            {
                await store.PutAsync($"k{i}", Content("x"));
                outcomes[i] = "ok";
            }
            catch (ReplicaStoreException e)
            {
                outcomes[i] = e.InnerException!.Message;
            }
        }
        return outcomes;
    }

    private static MemoryStream Content(string text) => new(Encoding.ASCII.GetBytes(text));

    private static async Task<string?> Read(IReplicaStore store, string key)
    {
        using var destination = new MemoryStream();
        return await store.TryGetAsync(key, destination) ? Encoding.ASCII.GetString(destination.ToArray()) : null;
    }
}
