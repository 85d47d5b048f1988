namespace PageDb.Replication;

/// <summary>One object in an <see cref="IReplicaStore"/>, as a listing reports it.</summary>
/// <param name="Key">The object's key, relative to the store's root.</param>
/// <param name="Size">The object's length in bytes.</param>
public readonly record struct ReplicaObject(string Key, long Size);
