namespace PageDb;

/// <summary>
/// Continuous replication of a database, set as <see cref="PageDbOptions.Replication"/>: the engine calls
/// <see cref="Start"/> once the database is open for writing and disposes the session before it closes. The
/// implementation is <c>PageDb.Replication.ReplicationOptions</c> in the PageDb.Replication package (the engine does not
/// depend on object storage; the replicator reaches the engine's internals from there).
/// </summary>
public interface IDatabaseReplication
{
    /// <summary>Starts replicating <paramref name="database"/>; called by the engine, not by applications.</summary>
    IReplicationSession Start(PageDatabase database);
}
