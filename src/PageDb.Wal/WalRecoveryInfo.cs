namespace PageDb.Wal;

/// <summary>What opening the log found.</summary>
/// <param name="Commits">Committed transactions recovered from the log.</param>
/// <param name="CommittedFrames">Frames belonging to those transactions.</param>
/// <param name="IgnoredFrames">Valid frames after the last commit frame (a transaction that never committed), ignored.</param>
/// <param name="ForeignLogDiscarded">True when the log belonged to another database (another id) and was discarded.</param>
/// <param name="CheckpointSequence">The checkpoint sequence of the log's current generation.</param>
internal readonly record struct WalRecoveryInfo(
    int Commits, int CommittedFrames, int IgnoredFrames, bool ForeignLogDiscarded, ulong CheckpointSequence);
