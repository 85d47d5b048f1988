using System.Buffers.Binary;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine;
using PageDb.Wal;

namespace PageDb.Replication;

/// <summary>
/// The pages commits logged, handed from the writer's thread to the replicator's as they commit
/// (<see cref="ICommitFrameObserver"/>), so a step per commit (<see cref="SegmentCut"/>) rebuilds each frame's page
/// from the version before it instead of reading the frame back from the log: the writer keeps only a page's newest
/// version cached, and reading every earlier frame back (a read call, the frame's decoding and its checksum, a count
/// frame's base too) cost the replicator about 10 µs per one-row commit (docs/benchmarks.md, "Replication").
/// <para>
/// A record per logged frame, in a ring of bytes: the frame, its page and either the byte runs that turn the version
/// the transaction copied the page from into the logged image (<see cref="PageDelta"/>, computed against that version
/// while the pool still holds it: a few dozen bytes for a one-row commit's leaf) with that version's frame as the
/// record's base, or the whole image (base 0: a new page, page 0, a base read from the database file or no longer
/// cached, or runs as large as the page).
/// <code>
/// record (little-endian): frame (8), base frame (8, 0 for a whole image), page (4), payload length (4, bit 31 set when
///   the logged image is sealed: every frame but a count frame), payload
/// </code>
/// A count frame's record is the count field alone, with no comparison: the commit compared the page with that base
/// already (<see cref="ICommitFrameObserver.FrameLogged"/>), so the writer pays for one page comparison per one-row
/// commit (its leaf), not two (its root's count frame too).
/// A record never wraps: when fewer than <see cref="RecordHeaderSize"/> + a page are left before the ring's end, the
/// writer starts at the ring's beginning and the reader, by the same rule, skips there too.
/// </para>
/// <para>
/// Correctness never depends on the queue: a frame with no record (the ring was full: the replicator fell behind or is
/// not shipping; the commit frame's record not yet added when its commit was seen), or whose record's base is not the
/// version the cut holds before it (a spilled frame, a version the cut never saw), is read back from the log as
/// before. A record is used only when its base frame is the version the cut applies it to; frame numbers are never
/// reused (<see cref="WalIndex"/> rule 1) and a frame's bytes never change, so the rebuilt bytes are the logged ones
/// except for the page checksum (a cached count-frame version keeps a stale one), which the cut seals as a read does
/// (<see cref="ReplicationSource.SealAsRead"/>) unless the record rewrites it with a sealed frame's (<see cref="TryRebuild"/>).
/// Records of frames no commit kept (a commit that failed while being
/// appended) are never asked for and are passed over.
/// </para>
/// Threads: one producer (the writer, under the write lock) owns <see cref="_written"/>; one consumer (the replicator's
/// loop) owns <see cref="_read"/>. A record is complete before <see cref="_written"/> is published past it, and its
/// bytes are not reused before <see cref="_read"/> is published past it (both with Volatile).
/// </summary>
internal sealed class CommitFrameQueue : ICommitFrameObserver
{
    /// <summary>The ring's size by default: at some 80 bytes per one-row commit, a few hundred milliseconds of commits at W7's rate.</summary>
    public const int DefaultCapacity = 8 << 20;

    private const int RecordHeaderSize = 24;
    private const int SealedFlag = 1 << 31; // in a record's length field: the logged image is sealed

    private readonly ReplicationSource _source;
    private readonly byte[] _ring;
    private readonly int _largestRecord;
    private long _written; // bytes of records published; the writer's alone to change
    private long _read; // bytes of records consumed; the replicator's alone to change
    private long _dropped; // frames not queued for want of room (the writer's; read for tests)
    private long _rebuilt; // frames the replicator rebuilt from a record (the replicator's; read for tests)
    private long _handed; // bytes of the records of every frame logged so far, a dropped one's as a whole image (the writer's)

    /// <summary>
    /// A queue of <paramref name="capacity"/> bytes, at least two records of a whole page: the writer adds a record
    /// only where a whole page's record would fit, skipping to the ring's beginning when fewer bytes are left before
    /// its end, so it needs up to twice that (less one) free even when the reader has consumed everything; a smaller
    /// ring stopped taking records for good once its first record was added.
    /// </summary>
    public CommitFrameQueue(ReplicationSource source, int capacity = DefaultCapacity)
    {
        _source = source;
        _largestRecord = RecordHeaderSize + source.PageSize;
        _ring = new byte[Math.Max(capacity, 2 * _largestRecord)];
    }

    /// <summary>Frames not queued because the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// Bytes of the records of every frame logged since the queue was made, a frame dropped for want of room counted as
    /// a whole image (the cut reads it back and may find it smaller): about what a segment of steps per commit holds
    /// for those frames (a record is what the segment's page record holds, with a slightly larger header), so the
    /// replicator cuts by it (<see cref="SegmentSizeTracker"/>). Any thread.
    /// </summary>
    public long HandedBytes => Volatile.Read(ref _handed);

    /// <summary>Frames <see cref="TryRebuild"/> rebuilt from their records.</summary>
    public long Rebuilt => Volatile.Read(ref _rebuilt);

    /// <inheritdoc/>
    public void FrameLogged(PageNumber page, FrameIndex frame, ReadOnlySpan<byte> image, PageKey? superseded, bool countOnly)
    {
        long written = _written;
        int offset = (int)(written % _ring.Length);
        int skipped = _ring.Length - offset < _largestRecord ? _ring.Length - offset : 0;
        if (_ring.Length - (written - Volatile.Read(ref _read)) < skipped + _largestRecord)
        {
            _dropped++;
            Volatile.Write(ref _handed, _handed + RecordHeaderSize + image.Length);
            return;
        }
        offset = skipped == 0 ? offset : 0;
        Span<byte> record = _ring.AsSpan(offset, _largestRecord);
        Span<byte> payload = record[RecordHeaderSize..];
        long baseFrame = 0;
        int length = image.Length;
        if (page != PageNumber.Header && superseded is PageKey key && !PageVersions.IsFile(key) && !PageVersions.IsPrivate(key))
        {
            if (countOnly)
                (baseFrame, length) = (PageVersions.Frame(key).Value, PageDelta.EncodeRun(image, WalFormat.CountFieldOffset, WalFormat.CountStoredLength, payload));
            else if (_source.TryPeekCached(key, out PageHandle before))
            {
                using (before)
                {
                    if (PageDelta.TryEncode(before.Data, image, payload, out int runs))
                        (baseFrame, length) = (PageVersions.Frame(key).Value, runs);
                }
            }
        }
        if (baseFrame == 0)
            image.CopyTo(payload);
        BinaryPrimitives.WriteInt64LittleEndian(record, frame.Value);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], baseFrame);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], page.Value);
        BinaryPrimitives.WriteInt32LittleEndian(record[20..], countOnly ? length : length | SealedFlag);
        Volatile.Write(ref _written, written + skipped + RecordHeaderSize + length);
        Volatile.Write(ref _handed, _handed + RecordHeaderSize + length);
    }

    /// <summary>
    /// Writes into <paramref name="image"/> the bytes <paramref name="frame"/> logged for <paramref name="page"/>, from
    /// its record: a whole image, or runs applied to <paramref name="before"/> when their base is
    /// <paramref name="beforeFrame"/> (the frame <paramref name="before"/> was logged as; none and an empty span when
    /// the cut has no such version). False when there is no usable record: read the frame back. Frames must be asked
    /// for in increasing order: the records of earlier frames are passed over for good.
    /// <paramref name="isSealed"/>: the rebuilt image is sealed (page 0 aside, whose size the cut stamps): a whole image
    /// of a sealed frame, or runs of one that rewrite the checksum field, so the bytes <paramref name="before"/> may
    /// differ from the record's base in (that field: a cached count frame's version keeps a stale one, see the type)
    /// are the logged ones. Otherwise the cut seals it (a page checksum: a fifth of the cut's time when it sealed every
    /// rebuilt page).
    /// </summary>
    public bool TryRebuild(FrameIndex frame, PageNumber page, ReadOnlySpan<byte> before, FrameIndex beforeFrame, Span<byte> image, out bool isSealed)
    {
        isSealed = false;
        long read = _read;
        long written = Volatile.Read(ref _written);
        while (read < written)
        {
            int offset = (int)(read % _ring.Length);
            if (_ring.Length - offset < _largestRecord)
            {
                read += _ring.Length - offset;
                continue;
            }
            ReadOnlySpan<byte> record = _ring.AsSpan(offset);
            long recordFrame = BinaryPrimitives.ReadInt64LittleEndian(record);
            if (recordFrame > frame.Value)
                break;
            long baseFrame = BinaryPrimitives.ReadInt64LittleEndian(record[8..]);
            uint recordPage = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
            int lengthField = BinaryPrimitives.ReadInt32LittleEndian(record[20..]);
            int length = lengthField & ~SealedFlag;
            bool loggedSealed = (lengthField & SealedFlag) != 0 && page != PageNumber.Header;
            ReadOnlySpan<byte> payload = record.Slice(RecordHeaderSize, length);
            read += RecordHeaderSize + length;
            if (recordFrame < frame.Value || recordPage != page.Value)
                continue;
            bool rebuilt = false;
            if (baseFrame == 0)
            {
                payload.CopyTo(image);
                (rebuilt, isSealed) = (true, loggedSealed);
            }
            else if (!beforeFrame.IsNone && baseFrame == beforeFrame.Value)
            {
                before.CopyTo(image);
                rebuilt = PageDelta.TryApply(payload, image) is null;
                isSealed = rebuilt && loggedSealed && PageDelta.Covers(payload, PageHeader.ChecksumOffset, sizeof(uint));
            }
            Volatile.Write(ref _read, read);
            if (rebuilt)
                _rebuilt++;
            return rebuilt;
        }
        Volatile.Write(ref _read, read);
        return false;
    }
}
