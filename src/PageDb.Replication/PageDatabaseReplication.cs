namespace PageDb.Replication;

/// <summary>
/// Restore and read replicas as members of <see cref="PageDatabase"/>: <c>PageDatabase.Restore(store, path)</c>,
/// <c>PageDatabase.OpenReplica(store, path)</c>. They live here, as static extension members, because the engine
/// (PageDb) does not reference PageDb.Replication, which references it; a program that replicates references both.
/// </summary>
public static class PageDatabaseReplication
{
    // The public API analyzer (Microsoft.CodeAnalysis.PublicApiAnalyzers 3.3.4) has no line format for C# 14
    // extension blocks: it reports them (RS0016) but cannot record them. Their surface is listed in docs/API.md
    // ("PageDb.Replication") instead, until an analyzer version that knows extension members.
#pragma warning disable RS0016
    extension(PageDatabase)
    {
        /// <summary>
        /// Restores a database from the replica in <paramref name="store"/> into a new file at <paramref name="targetPath"/>:
        /// the newest snapshot suitable for <paramref name="target"/> (latest when null), then the segments that follow
        /// it while their checksum chain holds. A missing or damaged segment stops the restore at the last good commit
        /// before it (<see cref="RestoreResult.StoppedEarly"/> says which); a damaged snapshot makes it fall back to an
        /// older generation (<see cref="RestoreResult.SkippedGenerations"/>). The result is checkpointed and checked.
        /// </summary>
        /// <exception cref="IOException"><paramref name="targetPath"/> exists already.</exception>
        /// <exception cref="PageDbException">No generation suitable for <paramref name="target"/> could be read.</exception>
        /// <exception cref="ReplicaStoreException">The store failed a call.</exception>
        public static RestoreResult Restore(IReplicaStore store, string targetPath, RestoreTarget? target = null) =>
            RestoreAsync(store, targetPath, target).GetAwaiter().GetResult();

        /// <summary>As <see cref="Restore"/>, without blocking a thread on the store.</summary>
        public static Task<RestoreResult> RestoreAsync(IReplicaStore store, string targetPath, RestoreTarget? target = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(store);
            ArgumentException.ThrowIfNullOrEmpty(targetPath);
            return RunAsync();

            async Task<RestoreResult> RunAsync() =>
                (await ReplicaRestore.RunAsync(store, targetPath, target ?? RestoreTarget.Latest, cancellationToken).ConfigureAwait(false)).Result;
        }

        /// <summary>The generations in <paramref name="store"/>, oldest first, with their time ranges and sizes.</summary>
        /// <exception cref="ReplicaStoreException">The store failed the listing.</exception>
        public static async Task<IReadOnlyList<ReplicaGeneration>> ListReplicaGenerationsAsync(IReplicaStore store, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(store);
            return await ReplicaRestore.ListAsync(store, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Opens a read replica at <paramref name="path"/>: brings it to the latest state of the replica in
        /// <paramref name="store"/> (resuming from the replica the path already holds, fetching only the later segments,
        /// when its recorded position checks out; else restoring from scratch, replacing what the path held:
        /// <see cref="ReadReplica.Resume"/> says which and why), then keeps applying new segments, and follows a new
        /// generation, polling every <paramref name="pollInterval"/> (default 1 second). Read transactions on
        /// <see cref="ReadReplica.Database"/> see consistent snapshots, each the state after some shipped segment.
        /// </summary>
        public static ReadReplica OpenReplica(IReplicaStore store, string path, TimeSpan? pollInterval = null) =>
            ReadReplica.OpenAsync(store, path, pollInterval ?? TimeSpan.FromSeconds(1), CancellationToken.None).GetAwaiter().GetResult();
    }
#pragma warning restore RS0016
}
