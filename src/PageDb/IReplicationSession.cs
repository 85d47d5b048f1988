namespace PageDb;

/// <summary>A running replicator of one open database; disposed by the engine before the database closes.</summary>
public interface IReplicationSession : IDisposable
{
    /// <summary>How far the replica lags behind the database, and the replicator's last error.</summary>
    ReplicationStats Stats { get; }
}
