namespace PageDb.Benchmarks.Workloads;

/// <summary>
/// An engine that counts the log syncs that made its commits durable (PageDb: <c>DatabaseStats.WalSyncs</c>), so W9
/// can report how many commits one sync acknowledged. Engines without the count show n/a there.
/// </summary>
public interface ICommitSyncCountingEngine
{
    /// <summary>Log syncs that made commits durable since the engine opened.</summary>
    long CommitSyncs { get; }
}
