using Microsoft.Extensions.ObjectPool;

namespace PageDb.Engine;

/// <summary>
/// How <see cref="StorageEngine.ReadSnapshots"/> makes and takes back the pages of read transactions' snapshots: one
/// engine's, all kept (a snapshot's pages hold nothing of their transaction once it has left the reader registry).
/// </summary>
internal sealed class SnapshotPagesPolicy(StorageEngine engine) : IPooledObjectPolicy<SnapshotPages>
{
    public SnapshotPages Create() => new(engine);

    public bool Return(SnapshotPages pages) => true;
}
