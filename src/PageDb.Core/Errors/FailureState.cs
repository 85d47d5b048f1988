namespace PageDb;

/// <summary>
/// The one failure state of an open database. The first failed write, sync or truncate anywhere (the WAL, the
/// database file, a background checkpoint) is recorded here, and from then on every part of the engine refuses
/// changes until the database is reopened and recovered: after a failed sync the files may hold a partial commit
/// that only recovery can judge, and a failed sync is never retried. Thread-safe: any thread may record or ask.
/// </summary>
internal sealed class FailureState
{
    // The first failure; written once (compare-exchange), read with Volatile by every thread that changes a file.
    private Exception? _failure;

    /// <summary>True once a failure was recorded.</summary>
    public bool IsFailed => Volatile.Read(ref _failure) is not null;

    /// <summary>The first failure recorded, or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Records <paramref name="failure"/> unless an earlier one is recorded already.</summary>
    public void Fail(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Interlocked.CompareExchange(ref _failure, failure, null);
    }
}
