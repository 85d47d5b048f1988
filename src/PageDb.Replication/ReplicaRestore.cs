using System.IO.Hashing;

namespace PageDb.Replication;

/// <summary>
/// Restore from a replica store: the newest suitable generation whose snapshot reads back whole, then its segments in
/// order while the chain holds (<see cref="SegmentChain"/>), written to a new file beside the target, checkpointed,
/// checked, and renamed to the target, so the target path holds a whole restored database or nothing.
/// </summary>
internal static class ReplicaRestore
{
    /// <summary>Restores into <paramref name="targetPath"/>; returns what was restored and the chain's position after it.</summary>
    public static async Task<(RestoreResult Result, SegmentChain Chain)> RunAsync(IReplicaStore store, string targetPath, RestoreTarget target, CancellationToken cancellationToken)
    {
        string fullPath = Path.GetFullPath(targetPath);
        if (File.Exists(fullPath))
            throw new IOException($"'{targetPath}' exists already: restore writes a new database (delete it first to replace it).");
        List<ReplicaGeneration> generations = await ListAsync(store, cancellationToken).ConfigureAwait(false);
        var skipped = new List<string>();
        foreach (ReplicaGeneration generation in Enumerable.Reverse(generations).Where(target.Allows))
        {
            string temporary = $"{fullPath}.{Guid.NewGuid():N}.restoring";
            try
            {
                string? problem = await DownloadSnapshotAsync(store, generation, temporary, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    skipped.Add(problem);
                    continue;
                }
                (SegmentChain chain, string? stopped) = await ReplayAsync(store, generation, temporary, target, cancellationToken).ConfigureAwait(false);
                File.Move(temporary, fullPath, overwrite: false);
                FileStorage.Instance.SyncDirectory(fullPath);
                var result = new RestoreResult
                {
                    Generation = generation.Name,
                    Segments = chain.Sequence,
                    Commits = chain.Commits,
                    ShippedAt = chain.CommittedBy,
                    StoppedEarly = stopped,
                    SkippedGenerations = skipped,
                };
                return (result, chain);
            }
            finally
            {
                DeleteDatabaseFiles(temporary);
            }
        }
        throw new PageDbException(skipped.Count == 0
            ? $"{store} holds no generation to restore{(target.Time is { } time ? $" from before {time:u}" : "")}."
            : $"No generation in {store} could be restored: {string.Join("; ", skipped)}");
    }

    /// <summary>The generations in <paramref name="store"/>, oldest first.</summary>
    public static async Task<List<ReplicaGeneration>> ListAsync(IReplicaStore store, CancellationToken cancellationToken) =>
        ReplicaNames.Parse(await store.ListAsync("", cancellationToken).ConfigureAwait(false));

    /// <summary>Copies the snapshot of <paramref name="generation"/> into <paramref name="destination"/>; returns the problem when it is missing or damaged.</summary>
    public static async Task<string?> DownloadSnapshotAsync(IReplicaStore store, ReplicaGeneration generation, Stream destination, CancellationToken cancellationToken)
    {
        long start = destination.Position;
        if (!await store.TryGetAsync(generation.SnapshotKey!, destination, cancellationToken).ConfigureAwait(false))
            return $"the snapshot '{generation.SnapshotKey}' was listed but could not be read";
        destination.Position = start;
        var hash = new XxHash64();
        await hash.AppendAsync(destination, cancellationToken).ConfigureAwait(false);
        if (hash.GetCurrentHashAsUInt64() != generation.SnapshotChecksum)
            return $"the snapshot '{generation.SnapshotKey}' does not match the checksum in its name";
        destination.Position = start;
        return null;
    }

    private static async Task<string?> DownloadSnapshotAsync(IReplicaStore store, ReplicaGeneration generation, string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            string? problem = await DownloadSnapshotAsync(store, generation, file, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            return problem;
        }
    }

    /// <summary>Applies the generation's segments to the snapshot at <paramref name="path"/>, then checkpoints and checks it.</summary>
    private static async Task<(SegmentChain Chain, string? Stopped)> ReplayAsync(IReplicaStore store, ReplicaGeneration generation, string path, RestoreTarget target, CancellationToken cancellationToken)
    {
        PageDatabase database = PageDatabase.Open(path, new PageDbOptions { CreateIfMissing = false, Durability = Durability.Normal });
        await using (database.ConfigureAwait(false))
        {
            var chain = new SegmentChain(generation);
            string? stopped = await chain.ApplyAsync(database, store, generation, target, cancellationToken).ConfigureAwait(false);
            database.Checkpoint(CheckpointMode.Truncate);
            IntegrityReport report = database.CheckIntegrity();
            if (!report.IsOk)
                throw new CorruptDatabaseException(path, 0, $"the database restored from generation {generation.Name} fails its integrity check: {string.Join("; ", report.Problems)}");
            return (chain, stopped);
        }
    }

    private static void DeleteDatabaseFiles(string path)
    {
        File.Delete(path);
        File.Delete(Wal.WriteAheadLog.PathFor(path));
        File.Delete(Wal.WriteAheadLog.SecondPathFor(path));
    }
}
