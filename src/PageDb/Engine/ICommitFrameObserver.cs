using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Sees each page a write transaction logs as it commits (<see cref="TransactionPages.Commit"/>), while its image is
/// at hand: how the replicator ships a step per commit without reading every frame back from the log
/// (PageDb.Replication's <c>CommitFrameQueue</c>). Called on the writer's thread, under the write lock, once per
/// frame, the commit frame last and after it was appended (the commit may not be published yet). An observer must be
/// cheap and allocation-free, and should not throw: the commit is already in the log, so a throw is caught and ignored
/// (<see cref="StorageEngine.NotifyFrameLogged"/>) and the commit goes on as if the observer had not been called.
/// </summary>
internal interface ICommitFrameObserver
{
    /// <summary>
    /// Page <paramref name="page"/> was logged as <paramref name="frame"/> with <paramref name="image"/> (sealed, or of a
    /// count frame with a stale checksum); <paramref name="superseded"/> is the version the transaction copied it from
    /// (the committed version it started from, a frame it spilled itself, or none for a new page).
    /// <paramref name="countOnly"/>: a count frame (<see cref="WriteAheadLog.AppendCount"/>): the image differs from
    /// <paramref name="superseded"/> (the page's newest frame in the log: a committed one, or one the writer's
    /// transaction spilled, which the cut never holds and so reads back) only in the count field and the checksum field (which the
    /// commit compared), and is not sealed.
    /// </summary>
    void FrameLogged(PageNumber page, FrameIndex frame, ReadOnlySpan<byte> image, PageKey? superseded, bool countOnly);
}
