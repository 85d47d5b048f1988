namespace PageDb.Replication;

/// <summary>What the writing process's replicator last published about its lag (<see cref="ReplicaStatusFile"/>).</summary>
/// <param name="WrittenAt">When the replicator wrote it (UTC).</param>
/// <param name="Generation">The generation being shipped, or null before the first snapshot is stored.</param>
/// <param name="LagCommits">Commits the store lacked; -1 while no generation was stored (all of them).</param>
/// <param name="LagBytes">WAL bytes of those commits.</param>
/// <param name="BehindSince">When the oldest commit the store lacked was made, or null when it had every commit.</param>
/// <param name="LastShippedAt">When the store last acknowledged an object, or null when none yet.</param>
/// <param name="LastError">The last failure since the last success, or null.</param>
/// <param name="Resume">Whether the replicator continued the store's generation at its start, and why (<see cref="ReplicationStats.Resume"/>), or null while undecided.</param>
internal sealed record ReplicaStatus(
    DateTimeOffset WrittenAt, string? Generation, long LagCommits, long LagBytes, DateTimeOffset? BehindSince,
    DateTimeOffset? LastShippedAt, string? LastError, string? Resume = null);
