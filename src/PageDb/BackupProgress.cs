namespace PageDb;

/// <summary>How far a backup (<see cref="PageDatabase.Backup"/>, <see cref="PageDatabase.BackupAsync(Stream, IProgress{BackupProgress}?, CancellationToken)"/>) has come.</summary>
/// <param name="PagesCopied">Pages written to the target so far.</param>
/// <param name="PageCount">Pages in the snapshot being copied, the header included: the backup's final size in pages.</param>
public readonly record struct BackupProgress(long PagesCopied, long PageCount);
