using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// How large the next segment would be: the distinct pages changed since the mark (<see cref="Replicator"/>'s
/// archived-through snapshot), counted as commits arrive, so that <see cref="ReplicationOptions.SegmentBytes"/> bounds
/// a segment's size rather than the WAL bytes written. A workload that rewrites the same pages writes a segment's worth
/// of WAL many times over before the segment holds that much: cutting by WAL bytes put 80 small segments a second under
/// W7 (one-row commits), each a store call with its fixed cost (an fsync for the folder store, a signed HTTP request
/// for S3), which was most of replication's CPU.
/// <para>
/// Each <see cref="Update"/> adds only the pages of the commits since the previous one (the log's index, newest frame
/// per page), so the count costs a set insert per changed page frame, once. Complete because the mark is held: no
/// frame after it has been forgotten. Used from the replicator's thread only.
/// </para>
/// </summary>
internal sealed class SegmentSizeTracker(ReplicationSource source)
{
    private readonly HashSet<uint> _pages = [];
    private readonly List<(PageNumber Page, FrameIndex Frame)> _changed = [];
    private HeldSnapshot? _mark; // the mark the pages are counted from
    private WalMark _counted; // the last commit counted

    /// <summary>Bytes of page records the next segment would hold if cut now, counting the commits up to <paramref name="upTo"/>.</summary>
    public long Update(HeldSnapshot mark, WalMark upTo)
    {
        if (!ReferenceEquals(mark, _mark))
        {
            (_mark, _counted) = (mark, mark.Mark);
            _pages.Clear();
        }
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
