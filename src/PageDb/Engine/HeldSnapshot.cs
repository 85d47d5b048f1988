using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// A committed snapshot the replicator holds open (a registered reader), so the WAL keeps every frame after it: the
/// "archived through" mark of <see cref="ReplicationSource"/>. Disposing it lets the log move past it.
/// </summary>
/// <param name="Transaction">The read transaction that registers the mark.</param>
/// <param name="Mark">The snapshot's last commit in the WAL.</param>
/// <param name="CommittedBytes">The WAL's committed bytes when the snapshot was taken (at least those of the mark).</param>
/// <param name="PageCount">Pages in the snapshot, the header included.</param>
internal sealed record HeldSnapshot(ReadTransaction Transaction, WalMark Mark, long CommittedBytes, uint PageCount) : IDisposable
{
    public void Dispose() => Transaction.Dispose();
}
