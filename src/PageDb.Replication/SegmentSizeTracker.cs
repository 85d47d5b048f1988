using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// How large the next segment would be if cut now, so that <see cref="ReplicationOptions.SegmentBytes"/> bounds what a
/// segment holds, counted the way the segment is built (<see cref="ReplicationOptions.EveryCommit"/>):
/// <list type="bullet">
/// <item>One step of distinct pages (EveryCommit false): the distinct pages changed since the mark
/// (<see cref="Replicator"/>'s archived-through snapshot), counted as commits arrive, each a whole page. Not the WAL
/// bytes written: a workload that rewrites the same pages writes a segment's worth of WAL many times over before the
/// segment holds that much, and cutting by WAL bytes put 80 small segments a second under W7 (one-row commits), each a
/// store call with its fixed cost (an fsync for the folder store, a signed HTTP request for S3), which was most of
/// replication's CPU. Each <see cref="Update"/> adds only the pages of the commits since the previous one (the log's
/// index, newest frame per page), so the count costs a set insert per changed page frame, once. Complete because the
/// mark is held: no frame after it has been forgotten.</item>
/// <item>A step per commit (EveryCommit): every commit's page records, a page rewritten by many commits once per
/// commit (a 1 MiB value rewritten 100 times within an interval is some 100 MiB of steps, which the distinct pages
/// counted as 1 MiB). Counted as the bytes of the records the writer handed over since the mark
/// (<see cref="CommitFrameQueue.HandedBytes"/>, read just before the mark was held: <see cref="MarkMoved"/>), about
/// what the cut encodes for them; without the hand-over (another session has it) as the WAL bytes committed since the
/// mark, which a whole-page record never exceeds (a delta is smaller: such a session cuts small commits early).</item>
/// </list>
/// Used from the replicator's thread only.
/// </summary>
internal sealed class SegmentSizeTracker(ReplicationSource source, bool everyCommit, CommitFrameQueue? queue)
{
    private readonly HashSet<uint> _pages = [];
    private readonly List<(PageNumber Page, FrameIndex Frame)> _changed = [];
    private HeldSnapshot? _mark; // the mark the pages are counted from
    private WalMark _counted; // the last commit counted
    private long _handedAtMark; // the queue's HandedBytes read before _mark was held (or when first seen)

    /// <summary>
    /// The mark moved to <paramref name="mark"/> (a cut, a stored snapshot, a continued generation), held after the
    /// hand-over's count was <paramref name="handedBeforeHold"/> (<see cref="CommitFrameQueue.HandedBytes"/>), so the
    /// bytes counted from it include every commit after it, give or take one (a commit whose frames the writer handed over
    /// before the hold but published after it counts with the mark's segment, not the next: the count errs by up to
    /// one commit either way). A
    /// mark counted only from when <see cref="Update"/> first saw it left out the commits made before that poll: a
    /// writer that waited for the replica to catch up after them (a snapshot stored, then a few large commits within
    /// the next poll) waited for a cut the count never reached, until the interval passed. <see cref="Update"/> counts
    /// a mark it was not told of (none is, by <see cref="Replicator"/>) from when it sees it.
    /// </summary>
    public void MarkMoved(HeldSnapshot mark, long handedBeforeHold)
    {
        (_mark, _counted, _handedAtMark) = (mark, mark.Mark, handedBeforeHold);
        _pages.Clear();
    }

    /// <summary>Bytes the next segment would hold if cut now, counting the commits up to <paramref name="upTo"/>.</summary>
    public long Update(HeldSnapshot mark, WalMark upTo)
    {
        if (!ReferenceEquals(mark, _mark))
            MarkMoved(mark, queue?.HandedBytes ?? 0);
        if (everyCommit)
            return queue is null ? source.CommittedBytes - mark.CommittedBytes : queue.HandedBytes - _handedAtMark;
        if (upTo > _counted)
        {
            _changed.Clear();
            source.CollectChangedPages(_counted, upTo, _changed);
            foreach ((PageNumber page, _) in _changed)
                _pages.Add(page.Value);
            _counted = upTo;
        }
        return (long)_pages.Count * (4 + source.PageSize);
    }
}
