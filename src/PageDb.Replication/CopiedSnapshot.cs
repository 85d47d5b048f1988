using System.IO.Hashing;
using PageDb.Core.Pages;
using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// A snapshot copied for a new generation and not yet stored: the held snapshot (<see cref="Snapshot"/>, which becomes
/// the replicator's mark once the put is acknowledged), its copy (a <see cref="SnapshotSpillFile"/> of its own, or
/// memory for an in-memory database), and what was computed from the copy (its key, the state hash). A failed put keeps
/// it, so the retry uploads the same copy under the same key instead of copying the whole database again; the
/// replicator drops it only once the snapshot is past <see cref="ReplicationOptions.MaxLagBytes"/> (it keeps every later
/// frame in the WAL, as the mark does). Owned by the replicator's thread.
/// </summary>
internal sealed class CopiedSnapshot : IDisposable
{
    private readonly Stream _copy;
    private bool _snapshotTaken;

    private CopiedSnapshot(HeldSnapshot snapshot, Stream copy, DateTimeOffset heldAt, DateTimeOffset takenAt, ulong checksum, DatabaseStateHash state)
    {
        Snapshot = snapshot;
        _copy = copy;
        HeldAt = heldAt;
        TakenAt = takenAt;
        Generation = ReplicaNames.NewGeneration(takenAt);
        Checksum = checksum;
        State = state;
    }

    /// <summary>The snapshot copied; this object's until <see cref="TakeSnapshot"/>.</summary>
    public HeldSnapshot Snapshot { get; }

    /// <summary>Just before the snapshot was held: commits acknowledged after this may be missing from it.</summary>
    public DateTimeOffset HeldAt { get; }

    /// <summary>When the snapshot was taken, which names the generation.</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>The new generation's name.</summary>
    public string Generation { get; }

    /// <summary>The copy's xxHash64, in its key.</summary>
    public ulong Checksum { get; }

    /// <summary>The state hash of the snapshot's pages, the start of the generation's chain of segments.</summary>
    public DatabaseStateHash State { get; }

    /// <summary>The key the copy is stored under.</summary>
    public string Key => ReplicaNames.SnapshotKey(Generation, Checksum);

    /// <summary>Holds the latest snapshot and copies it (the bytes a backup writes) to a new spill file beside the database, or to memory for one not in files.</summary>
    public static CopiedSnapshot Copy(ReplicationSource source)
    {
        DateTimeOffset heldAt = DateTimeOffset.UtcNow;
        HeldSnapshot snapshot = source.Hold();
        Stream? copy = null;
        try
        {
            DateTimeOffset takenAt = DateTimeOffset.UtcNow;
            copy = source.FilePath is { } databasePath
                ? SnapshotSpillFile.Create(databasePath)
                : new MemoryStream(); // an in-memory database: its snapshot is no larger than the database itself
            ReplicationSource.CopySnapshot(snapshot, copy);
            copy.Position = 0;
            var hash = new XxHash64();
            var state = new DatabaseStateHash();
            state.Resize(snapshot.PageCount);
            var image = new byte[source.PageSize];
            for (uint page = 0; page < snapshot.PageCount; page++)
            {
                copy.ReadExactly(image);
                hash.Append(image);
                state.Set(new PageNumber(page), image);
            }
            hash.Append(copy); // nothing: a backup file is its pages
            return new CopiedSnapshot(snapshot, copy, heldAt, takenAt, hash.GetCurrentHashAsUInt64(), state);
        }
        catch
        {
            copy?.Dispose();
            snapshot.Dispose();
            throw;
        }
    }

    /// <summary>The copy from its start, for a put (each attempt reads it again).</summary>
    public Stream Rewound()
    {
        _copy.Position = 0;
        return _copy;
    }

    /// <summary>The put was acknowledged: hands the snapshot over to the caller (as the mark); disposing then frees the copy only.</summary>
    public HeldSnapshot TakeSnapshot()
    {
        _snapshotTaken = true;
        return Snapshot;
    }

    /// <summary>Deletes the copy and, unless taken, lets the snapshot go.</summary>
    public void Dispose()
    {
        _copy.Dispose();
        if (!_snapshotTaken)
            Snapshot.Dispose();
    }
}
