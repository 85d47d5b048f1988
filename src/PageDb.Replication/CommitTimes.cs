using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// When the replicator saw each commit: the log records no time, so the replicator's loop notes the last commit at
/// each poll (every 20 ms, less often while a store call is under way), and a commit's time in a segment
/// (<see cref="SegmentFormat"/>, a step's time) is the first poll that saw it: an upper bound on when it was made,
/// never earlier. The times noted never go back, even when the wall clock does (then they stay at the latest until it
/// passes it again, still upper bounds): a segment's step times must not decrease (<see cref="SegmentFormat"/>), and a
/// segment whose did was unreadable, and every later one with it. Kept only while a segment will ship the commits
/// (a generation is held), so polls do not pile up while the store is down with no generation held.
/// Used by the replicator's thread alone.
/// </summary>
internal sealed class CommitTimes
{
    private readonly List<(WalMark Mark, DateTimeOffset At)> _seen = []; // marks strictly ascending, times never decreasing
    private DateTimeOffset _latest = DateTimeOffset.MinValue; // the latest time noted; only grows
    private int _cursor; // SeenBy's answer for the previous commit asked: commits are asked in ascending order

    /// <summary>
    /// Notes that <paramref name="last"/> was the last commit at <paramref name="at"/> (or at the latest time noted
    /// before, when the clock went back), while <paramref name="shipping"/>: a segment will ship the commits after a
    /// held state (the mark, a resumed generation's opened state, or a copied snapshot). Otherwise forgets every poll:
    /// the next generation's snapshot will hold every commit made so far, so no segment needs their times.
    /// </summary>
    public void Note(WalMark last, DateTimeOffset at, bool shipping)
    {
        if (at > _latest)
            _latest = at;
        if (!shipping)
        {
            _seen.Clear();
            _cursor = 0;
        }
        else if (_seen.Count == 0 || _seen[^1].Mark < last)
            _seen.Add((last, _latest));
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
