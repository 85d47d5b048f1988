using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>The committed state a read-only snapshot sees (<see cref="ReadTransaction.SeenState"/>): its engine's number and its commit's mark.</summary>
/// <param name="Engine">The engine's <see cref="StorageEngine.Instance"/>.</param>
/// <param name="Mark">The commit the snapshot is at.</param>
internal readonly record struct SnapshotState(long Engine, WalMark Mark);
