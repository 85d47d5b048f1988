namespace PageDb.Replication.Tests;

/// <summary>A store that passes every call to another and records the keys read, to tell what a replica fetched.</summary>
internal sealed class CountingReplicaStore(IReplicaStore inner) : IReplicaStore
{
    private readonly Lock _lock = new(); // guards _gets
    private readonly List<string> _gets = [];

    /// <summary>The keys read so far, in order.</summary>
    public List<string> Gets
    {
        get
        {
            lock (_lock)
                return [.. _gets];
        }
    }

    public override string ToString() => $"counted {inner}";

    public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, cancellationToken);

    public Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            _gets.Add(key);
        return inner.TryGetAsync(key, destination, cancellationToken);
    }

    public Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
}
