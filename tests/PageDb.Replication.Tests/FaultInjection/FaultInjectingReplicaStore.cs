namespace PageDb.Replication.Tests.FaultInjection;

/// <summary>
/// An <see cref="IReplicaStore"/> that misbehaves the way object storage and the network to it do, over a real inner
/// store, deterministically from a seed: for the replicator's tests, which must restore exactly a prefix of the
/// acknowledged commits whatever the store did.
/// </summary>
/// <remarks>
/// Faults, each drawn per call with its own probability:
/// - a put, get, list or delete fails before it reaches the inner store (<see cref="FailureRate"/>);
/// - a put reaches the inner store and then reports failure (<see cref="AmbiguousPutRate"/>): the object exists
///   although the caller was told it does not, as when a response is lost;
/// - a put is delivered again later (<see cref="LateDuplicateRate"/>): its content is kept and put once more, over
///   whatever the key holds by then, at the start of a later put, the way a retried request's first attempt can land
///   after the retry and after requests that followed it (a duplicate, delivered out of order);
/// - a call waits up to <see cref="MaxDelay"/> before it runs (<see cref="DelayRate"/>);
/// - a put of a key <see cref="FailPutsOf"/> picks fails before it reaches the inner store, every time (a store that
///   refuses large objects, or an upload that always times out).
/// Every fault is a <see cref="ReplicaStoreException"/>, as a real store's failure is. Safe from many threads (the
/// random source and the pending duplicates are under one lock); with one caller at a time, a seed replays the same
/// faults.
/// </remarks>
internal sealed class FaultInjectingReplicaStore(IReplicaStore inner, int seed) : IReplicaStore
{
    private readonly Lock _lock = new(); // guards _random and _lateDuplicates
    private readonly Random _random = new(seed);
    private readonly List<(string Key, byte[] Content)> _lateDuplicates = [];
    private int _failures, _ambiguousPuts, _lateDuplicatesDelivered, _delays; // counted with Interlocked

    /// <summary>The chance that a call fails before it reaches the inner store.</summary>
    public double FailureRate { get; set; }

    /// <summary>The chance that a put is stored and then reported as failed.</summary>
    public double AmbiguousPutRate { get; set; }

    /// <summary>The chance that a put is delivered a second time, at the start of a later put.</summary>
    public double LateDuplicateRate { get; set; }

    /// <summary>The chance that a call is delayed, by up to <see cref="MaxDelay"/>.</summary>
    public double DelayRate { get; set; }

    /// <summary>Picks the keys whose puts always fail (null: none); may be changed while the store is in use.</summary>
    public Func<string, bool>? FailPutsOf { get; set; }

    /// <summary>The longest delay injected.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Faults injected so far: failures, ambiguous puts, late duplicates delivered, delays.</summary>
    public (int Failures, int AmbiguousPuts, int LateDuplicates, int Delays) Injected =>
        (_failures, _ambiguousPuts, _lateDuplicatesDelivered, _delays);

    /// <inheritdoc/>
    public override string ToString() => $"faulty {inner}";

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        await BeforeCallAsync("put", key, cancellationToken).ConfigureAwait(false);
        if (FailPutsOf is { } fails && fails(key))
        {
            Interlocked.Increment(ref _failures);
            throw Fault("put", key, "injected failure of every put of this key");
        }
        await DeliverLateDuplicateAsync(cancellationToken).ConfigureAwait(false);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        copy.Position = 0;
        await inner.PutAsync(key, copy, cancellationToken).ConfigureAwait(false);
        if (Chance(LateDuplicateRate))
        {
            lock (_lock)
                _lateDuplicates.Add((key, copy.ToArray()));
        }
        if (Chance(AmbiguousPutRate))
        {
            Interlocked.Increment(ref _ambiguousPuts);
            throw Fault("put", key, "the object was stored but the response was lost");
        }
    }

    public async Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        await BeforeCallAsync("get", key, cancellationToken).ConfigureAwait(false);
        return await inner.TryGetAsync(key, destination, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ReplicaKey.ValidatePrefix(prefix);
        await BeforeCallAsync("list", prefix, cancellationToken).ConfigureAwait(false);
        return await inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        await BeforeCallAsync("delete", key, cancellationToken).ConfigureAwait(false);
        await inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Delays and fails the call as drawn; the call goes on only when neither stops it.</summary>
    private async Task BeforeCallAsync(string operation, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Chance(DelayRate))
        {
            Interlocked.Increment(ref _delays);
            await Task.Delay(Fraction() * MaxDelay, cancellationToken).ConfigureAwait(false);
        }
        if (Chance(FailureRate))
        {
            Interlocked.Increment(ref _failures);
            throw Fault(operation, key, "injected failure before the store was reached");
        }
    }

    private async Task DeliverLateDuplicateAsync(CancellationToken cancellationToken)
    {
        (string Key, byte[] Content)? late = null;
        lock (_lock)
        {
            if (_lateDuplicates.Count > 0)
            {
                int index = _random.Next(_lateDuplicates.Count);
                late = _lateDuplicates[index];
                _lateDuplicates.RemoveAt(index);
            }
        }
        if (late is { } duplicate)
        {
            Interlocked.Increment(ref _lateDuplicatesDelivered);
            await inner.PutAsync(duplicate.Key, new MemoryStream(duplicate.Content), cancellationToken).ConfigureAwait(false);
        }
    }

    private bool Chance(double probability)
    {
        if (probability <= 0)
            return false;
        lock (_lock)
            return _random.NextDouble() < probability;
    }

    private double Fraction()
    {
        lock (_lock)
            return _random.NextDouble();
    }

    private ReplicaStoreException Fault(string operation, string key, string what) =>
        new(ToString(), operation, key, new IOException(what));
}
