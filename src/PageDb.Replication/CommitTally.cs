using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// A running count of the log's commits, so that <see cref="Replicator.Stats"/> (read by monitoring as often as it
/// likes, <c>GetStats</c>, and by the loop for the status file) and each cut count the commits behind the mark from
/// where the previous call left off: a frame is looked at once per call that passes it, not once per call since the
/// mark. Counting from the mark on every call walked every frame since the last shipment: a poller reading the stats
/// every 5 ms under W7 walked up to a second of commits' frames 200 times a second.
/// <para>
/// <see cref="Through"/> returns the commits from <see cref="Restart"/>'s origin up to a mark, moving forwards or
/// backwards from the previous call's mark (a cut's held mark may be older than the last commit a stats reader
/// counted to). The difference of two results is the commits between their marks. Complete while a snapshot at or
/// before the previous call's mark and the mark asked is held (the replicator's mark): no frame after it has been
/// forgotten. So a cut counts through its new mark before it lets the old one go, as <see cref="Replicator"/> does.
/// Not thread-safe: the replicator calls it under its lock.
/// </para>
/// </summary>
internal sealed class CommitTally(ReplicationSource source)
{
    private WalMark _counted; // the mark of the previous call
    private long _commits; // commits after the origin up to _counted

    /// <summary>Counts from <paramref name="origin"/> (held) on: <see cref="Through"/>(<paramref name="origin"/>) is 0.</summary>
    public void Restart(WalMark origin) => (_counted, _commits) = (origin, 0);

    /// <summary>The commits after the origin up to <paramref name="mark"/> (at or after the origin).</summary>
    public long Through(WalMark mark)
    {
        if (mark >= _counted)
            _commits += source.CountCommits(_counted, mark);
        else
            _commits -= source.CountCommits(mark, _counted);
        _counted = mark;
        return _commits;
    }
}
