namespace PageDb.Wal;

/// <summary>What one <see cref="WriteAheadLog.Checkpoint"/> did.</summary>
/// <param name="PagesCopied">Pages written into the database file.</param>
/// <param name="CheckpointedThrough">Every commit at or before this mark is now in the database file.</param>
/// <param name="IsComplete">True when every committed frame is in the database file.</param>
/// <param name="Restarted">True when the log restarted from its beginning (new salts, next checkpoint sequence).</param>
internal readonly record struct WalCheckpointResult(int PagesCopied, WalMark CheckpointedThrough, bool IsComplete, bool Restarted);
