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

    // Whether a caller was told of the failure: NotTold -> Unreported when work no caller waits on (the background
    // checkpointer) records it; any state -> Reported when a caller is about to throw it. The close reports an
    // Unreported failure, as the last call that can. Reported is final, so a background thread that records the
    // failure after a caller was told cannot make the close report it twice.
    private const int NotTold = 0, Unreported = 1, Reported = 2;
    private int _told;

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

    /// <summary>
    /// Records <paramref name="failure"/> of work no caller waits on (the background checkpointer): unless a caller is
    /// told of the failure state first (<see cref="Report"/>), the close must report it.
    /// </summary>
    public void FailUnattended(Exception failure)
    {
        Fail(failure);
        Interlocked.CompareExchange(ref _told, Unreported, NotTold);
    }

    /// <summary>The failure recorded, or null; a caller about to throw it calls this, so it counts as reported.</summary>
    public Exception? Report()
    {
        Exception? failure = Failure;
        if (failure is not null)
            Volatile.Write(ref _told, Reported);
        return failure;
    }

    /// <summary>True when a failure of unattended work was recorded and no caller has been told of it yet.</summary>
    public bool HasUnreportedFailure => Volatile.Read(ref _told) == Unreported;
}
