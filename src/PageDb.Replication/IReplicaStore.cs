namespace PageDb.Replication;

/// <summary>
/// Where replicas live: a flat namespace of immutable-by-convention objects named by keys, as object storage offers it.
/// A store is rooted somewhere (a folder, or a bucket and a key prefix) and its keys are relative to that root.
/// </summary>
/// <remarks>
/// Contract (checked for every implementation by the contract tests in tests/PageDb.Replication.Tests):
/// 1. Keys are <see cref="ReplicaKey"/>s: '/'-separated segments of ASCII letters, digits, '.', '_', '-' and '=',
///    no segment empty or starting with '.'; anything else is an <see cref="ArgumentException"/> before any I/O.
/// 2. A put is atomic: a get or list sees the whole new object or the old one (or none), never part of one. A put
///    over an existing key replaces it.
/// 3. A list returns every object whose key starts with the prefix, in ordinal key order, with its size; a list
///    started after a put returned includes that put.
/// 4. A get of a missing key returns false and writes nothing; a delete of a missing key succeeds.
/// 5. Every failure of the store itself (refused, unreachable, I/O error) is a <see cref="ReplicaStoreException"/>
///    naming the store and the key, so a caller can retry it; a cancelled token throws
///    <see cref="OperationCanceledException"/>.
/// 6. <see cref="PutAsync"/> reads <c>content</c> and leaves it open: the caller owns the stream (the replicator puts
///    the same snapshot copy again, rewound, after a failed put).
/// Implementations are safe to call from many threads at once.
/// </remarks>
public interface IReplicaStore
{
    /// <summary>Stores the rest of <paramref name="content"/> (from its position to its end) as <paramref name="key"/>.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Copies the object <paramref name="key"/> into <paramref name="destination"/>; false when there is none.</summary>
    Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>The objects whose keys start with <paramref name="prefix"/> ("" for all), in ordinal key order.</summary>
    Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object <paramref name="key"/> if there is one.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
