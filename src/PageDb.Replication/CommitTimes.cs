using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// When the replicator saw each commit: the log records no time, so the replicator's loop notes the last commit at
/// each poll (every 20 ms, less often while a store call is under way), and a commit's time in a segment
/// (<see cref="SegmentFormat"/>, a step's time) is the first poll that saw it: an upper bound on when it was made,
/// never earlier. Used by the replicator's thread alone.
/// </summary>
internal sealed class CommitTimes
{
    private readonly List<(WalMark Mark, DateTimeOffset At)> _seen = []; // marks strictly ascending
    private int _cursor; // SeenBy's answer for the previous commit asked: commits are asked in ascending order

    /// <summary>Notes that <paramref name="last"/> was the last commit at <paramref name="at"/>.</summary>
    public void Note(WalMark last, DateTimeOffset at)
    {
        if (_seen.Count == 0 || _seen[^1].Mark < last)
            _seen.Add((last, at));
    }

    /// <summary>
    /// The time of the first poll that saw <paramref name="commit"/>, or <paramref name="otherwise"/> when none did yet;
    /// within one cut, ask in ascending order of commits.
    /// </summary>
    public DateTimeOffset SeenBy(WalMark commit, DateTimeOffset otherwise)
    {
        if (_cursor > 0 && _cursor <= _seen.Count && _seen[_cursor - 1].Mark >= commit)
            _cursor = 0; // a new cut (or a retried one) starts again from the oldest poll
        while (_cursor < _seen.Count && _seen[_cursor].Mark < commit)
            _cursor++;
        return _cursor < _seen.Count ? _seen[_cursor].At : otherwise;
    }

    /// <summary>Forgets the polls that saw nothing after <paramref name="shipped"/> (the store holds those commits' times).</summary>
    public void Forget(WalMark shipped)
    {
        int count = 0;
        while (count < _seen.Count && _seen[count].Mark <= shipped)
            count++;
        _seen.RemoveRange(0, count);
        _cursor = 0;
    }
}
