namespace PageDb.Replication.Tests;

/// <summary>A store whose snapshot puts wait until <see cref="Open"/>; everything else passes straight through.</summary>
internal sealed class SnapshotGate(IReplicaStore inner) : IReplicaStore
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _waiting;

    /// <summary>True once a snapshot put is waiting (or went through).</summary>
    public bool Waiting => _waiting;

    public void Open() => _open.TrySetResult();

    public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        if (key.Contains("/snapshot-", StringComparison.Ordinal))
        {
            _waiting = true;
            _open.Task.Wait(cancellationToken);
        }
        return inner.PutAsync(key, content, cancellationToken);
    }

    public Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default) => inner.TryGetAsync(key, destination, cancellationToken);

    public Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
}
