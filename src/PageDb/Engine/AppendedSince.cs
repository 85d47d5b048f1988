namespace PageDb.Engine;

/// <summary>
/// Bytes the writer has appended to the current log generation since it first saw a condition hold in that generation:
/// how long the writer has given the background thread to do something before it does it itself
/// (<see cref="StorageEngine.MaintainLog"/>). Counted in log bytes, not time, so the bound it keeps on the log does not
/// depend on how fast commits come. Writer only.
/// </summary>
internal sealed class AppendedSince
{
    // The generation (checkpoint sequence) in which the condition was first seen, and the log's size then; -1: not seen.
    private ulong _generation;
    private long _start = -1;

    /// <summary>
    /// Notes that the condition holds now, in generation <paramref name="generation"/> whose log is
    /// <paramref name="logBytes"/> long, and returns the bytes appended since it was first seen to hold in this
    /// generation (0 at the first sight, or in a new generation, or after <see cref="Reset"/>).
    /// </summary>
    public long Holds(ulong generation, long logBytes)
    {
        if (_start < 0 || _generation != generation)
            (_generation, _start) = (generation, logBytes);
        return logBytes - _start;
    }

    /// <summary>The condition does not hold (any more): the next <see cref="Holds"/> counts from then.</summary>
    public void Reset() => _start = -1;
}
