using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using PageDb.Core.Pages;

namespace PageDb.Replication;

/// <summary>
/// The bytes of a segment object: the commits of one shipping interval, in order, each as the pages it wrote (a page a
/// commit rewrote as a delta against its version before, <see cref="PageDelta"/>), chained to the object before it in
/// the generation. Version 3; versions 1 and 2 (the distinct pages of the interval, as they stood after its last commit,
/// with no commit boundaries) are still read, as one step.
/// <code>
/// offset size field (little-endian)
///  0      8   magic: ASCII "PDBSEG01"
///  8      4   format version (u32): 3 (1 and 2 are still read)
/// 12      4   page size (u32)
/// 16      8   sequence (u64): 1, 2, ... within the generation (the snapshot is 0)
/// 24      8   previous checksum (u64): the checksum of sequence - 1 (the snapshot's for sequence 1)
/// 32      8   cut time (i64, Unix milliseconds UTC): every commit in the segment was made before it
/// 40      8   commits (u64): commits of the generation up to and including this segment
/// 48      4   database size (u32): pages in the database after the segment, the header included
/// 52      4   version 3: step count S (u32), may be 0; versions 1 and 2: page count N (u32), at least 1
/// 56      8   state hash (u64, not in version 1): <see cref="DatabaseStateHash"/> of the database after the segment
/// 64      version 3: S steps, each:
///           8   commits (u64) of the generation up to and including the step
///           8   time (i64, Unix milliseconds UTC): the replicator had seen the step's commit by then
///           4   database size (u32) after the step
///           4   page count P (u32)
///           P x: page number (u32), kind (u8: 0 whole image, 1 delta), payload length L (u32), L bytes (a whole
///                image is the page as the file holds it, L = page size; a delta is <see cref="PageDelta"/>'s runs)
///         versions 1 and 2: N x (4 + page size): page number (u32), then the whole page image (at 56 in version 1)
/// end-8   8   checksum (u64): XxHash64 of every byte before it
/// </code>
/// Invariants (a violation is a damaged object):
/// 1. The checksum covers the whole object, so an object is used whole or not at all (checked by <see cref="Decode"/>).
/// 2. Page numbers ascend strictly within a step and are below the step's database size, which is at least 1;
///    steps' commits and times never decrease, the times (and the cut time) are within <see cref="DateTimeOffset"/>'s
///    range and at most the cut time, and the last step's commits and size are the segment's (checked by
///    <see cref="Decode"/>). In versions 1 and 2 the one step is the whole segment. A step's commits may equal the
///    previous object's (a continued generation's catch-up step when no commit is owed), so which steps a database
///    already holds is never read off commit counts alone: only a database recorded as inside the segment skips steps
///    (<see cref="SegmentChain.InSegment"/>, <see cref="SegmentReplay.Run"/>).
/// 3. A delta applies to the page's version after the step before that wrote it in the segment, or to the database
///    before the segment; a page at or past the database size before its step (new, or grown again after a shrink)
///    is a whole image, as is every page of a step that does not follow a single commit (the first step of a
///    continued generation, <see cref="GenerationResume"/>: it may stand for several commits or none). Every page
///    version a step yields passes its own page checksum; restore and replicas check that before they apply the step
///    (<see cref="SegmentReplay"/>), so a damaged page stops them at the commit before it.
/// 4. A generation is a chain: sequence k's previous checksum is sequence k - 1's checksum. A restore applies
///    sequence 1, 2, ... while the chain holds, so a missing, stale or foreign object stops it at the last good commit.
/// 5. The state hash (versions 2 and 3) is what a restarted replicator compares its database's history with to continue
///    the generation (<see cref="GenerationResume"/>); restore and replicas do not need it.
/// </summary>
internal static class SegmentFormat
{
    public const ulong Magic = 0x3130_4745_5347_4450; // "PDBSEG01"
    public const uint Version = 3;
    public const int HeaderSize = 64;
    private const int Version1HeaderSize = 56;
    public const int TrailerSize = 8;
    public const int StepHeaderSize = 24;
    public const int PageRecordHeaderSize = 9;

    private const int VersionOffset = 8;       // 8-11 u32
    private const int PageSizeOffset = 12;     // 12-15 u32
    private const int SequenceOffset = 16;     // 16-23 u64
    private const int PreviousOffset = 24;     // 24-31 u64
    private const int CutTimeOffset = 32;      // 32-39 i64
    private const int CommitsOffset = 40;      // 40-47 u64
    private const int DatabaseSizeOffset = 48; // 48-51 u32
    private const int CountOffset = 52;        // 52-55 u32: steps (version 3) or pages (1, 2)
    private const int StateHashOffset = 56;    // 56-63 u64, versions 2 and 3

    /// <summary>Decodes and checks a segment object read from <paramref name="key"/> (any version this build reads).</summary>
    /// <exception cref="CorruptDatabaseException">The object is damaged or not a segment of this page size.</exception>
    public static Segment Decode(byte[] bytes, string key, int pageSize)
    {
        if (bytes.Length < Version1HeaderSize + TrailerSize || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic)
            Corrupt(key, "it is not a segment object");
        ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - TrailerSize));
        if (checksum != XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - TrailerSize)))
            Corrupt(key, "its checksum does not match its bytes");
        ReadOnlySpan<byte> header = bytes;
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[VersionOffset..]);
        if (version is not (1 or 2 or Version))
            Corrupt(key, $"its format version is {version}, this build reads 1 to {Version}");
        int headerSize = version == 1 ? Version1HeaderSize : HeaderSize;
        if (bytes.Length < headerSize + TrailerSize)
            Corrupt(key, "it is too short for its header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[PageSizeOffset..]) != pageSize)
            Corrupt(key, $"its page size is {BinaryPrimitives.ReadUInt32LittleEndian(header[PageSizeOffset..])}, the database's {pageSize}");
        var info = new SegmentInfo(
            (long)BinaryPrimitives.ReadUInt64LittleEndian(header[SequenceOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[PreviousOffset..]),
            ReadTime(header[CutTimeOffset..], key, "its cut time"),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(header[CommitsOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[DatabaseSizeOffset..]),
            version == 1 ? null : BinaryPrimitives.ReadUInt64LittleEndian(header[StateHashOffset..]));
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header[CountOffset..]);
        var body = new ReadOnlyMemory<byte>(bytes, headerSize, bytes.Length - headerSize - TrailerSize);
        IReadOnlyList<SegmentStep> steps = version == Version
            ? DecodeSteps(body, count, info, key, pageSize)
            : [DecodeWholePages(body, count, info, key, pageSize)];
        return new Segment(info, checksum, version, steps);
    }

    /// <summary>The body of a version 1 or 2 segment: N whole pages, one step standing for all its commits.</summary>
    private static SegmentStep DecodeWholePages(ReadOnlyMemory<byte> body, uint count, SegmentInfo info, string key, int pageSize)
    {
        int record = 4 + pageSize;
        if (count == 0 || (long)count * record != body.Length)
            Corrupt(key, $"it claims {count} pages but holds {body.Length} bytes of them");
        var pages = new List<PageRecord>((int)count);
        for (int i = 0; i < count; i++)
        {
            uint page = BinaryPrimitives.ReadUInt32LittleEndian(body.Span[(i * record)..]);
            CheckPageOrder(pages, page, info.DatabaseSize, key);
            pages.Add(new PageRecord(new PageNumber(page), IsDelta: false, body.Slice((i * record) + 4, pageSize)));
        }
        return new SegmentStep(info.Commits, info.CutAt, info.DatabaseSize, pages);
    }

    private static List<SegmentStep> DecodeSteps(ReadOnlyMemory<byte> body, uint count, SegmentInfo info, string key, int pageSize)
    {
        var steps = new List<SegmentStep>((int)Math.Min(count, 1u << 16));
        int offset = 0;
        for (uint s = 0; s < count; s++)
        {
            if (body.Length - offset < StepHeaderSize)
                Corrupt(key, $"step {s} is cut short");
            ReadOnlySpan<byte> stepHeader = body.Span[offset..];
            var step = new SegmentStep(
                (long)BinaryPrimitives.ReadUInt64LittleEndian(stepHeader),
                ReadTime(stepHeader[8..], key, $"the time of step {s}"),
                BinaryPrimitives.ReadUInt32LittleEndian(stepHeader[16..]),
                []);
            uint pageCount = BinaryPrimitives.ReadUInt32LittleEndian(stepHeader[20..]);
            offset += StepHeaderSize;
            if (step.DatabaseSize == 0)
                Corrupt(key, $"step {s} leaves a database of no pages (it has at least its header)");
            if (steps.Count > 0 && (step.Commits < steps[^1].Commits || step.At < steps[^1].At))
                Corrupt(key, $"step {s} goes back in commits or time");
            if (step.At > info.CutAt || step.Commits > info.Commits)
                Corrupt(key, $"step {s} is later than the segment");
            var pages = new List<PageRecord>((int)Math.Min(pageCount, 1u << 16));
            for (uint p = 0; p < pageCount; p++)
            {
                if (body.Length - offset < PageRecordHeaderSize)
                    Corrupt(key, $"a page of step {s} is cut short");
                ReadOnlySpan<byte> record = body.Span[offset..];
                uint page = BinaryPrimitives.ReadUInt32LittleEndian(record);
                byte kind = record[4];
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(record[5..]);
                offset += PageRecordHeaderSize;
                if (kind > 1 || (kind == 0 && length != pageSize) || (kind == 1 && length >= pageSize) || length > body.Length - offset)
                    Corrupt(key, $"page {page} of step {s} has kind {kind} and length {length}");
                CheckPageOrder(pages, page, step.DatabaseSize, key);
                pages.Add(new PageRecord(new PageNumber(page), kind == 1, body.Slice(offset, (int)length)));
                offset += (int)length;
            }
            steps.Add(step with { Pages = pages });
        }
        if (offset != body.Length)
            Corrupt(key, $"it holds {body.Length - offset} bytes after its {count} steps");
        if (steps.Count > 0 && (steps[^1].Commits != info.Commits || steps[^1].DatabaseSize != info.DatabaseSize))
            Corrupt(key, "its last step does not end where the segment says it does");
        return steps;
    }

    /// <summary>
    /// <paramref name="at"/> in Unix milliseconds, rounded up: a time stored is an upper bound on when its commits were
    /// made (a restore at a time never includes a commit made after it), which truncation to the millisecond broke.
    /// </summary>
    internal static long MillisecondsUpTo(DateTimeOffset at)
    {
        long milliseconds = at.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) < at ? milliseconds + 1 : milliseconds;
    }

    /// <summary>A time stored as Unix milliseconds, refused as damage when no <see cref="DateTimeOffset"/> can hold it.</summary>
    private static DateTimeOffset ReadTime(ReadOnlySpan<byte> field, string key, string what)
    {
        long milliseconds = BinaryPrimitives.ReadInt64LittleEndian(field);
        if (milliseconds < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            Corrupt(key, $"{what} ({milliseconds} ms after 1970) is out of range");
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }

    private static void CheckPageOrder(List<PageRecord> pages, uint page, uint databaseSize, string key)
    {
        if ((pages.Count > 0 && page <= pages[^1].Page.Value) || page >= databaseSize)
            Corrupt(key, $"page {page} is out of order or past the database size {databaseSize}");
    }

    [DoesNotReturn]
    private static void Corrupt(string key, string detail) => ThrowHelper.ThrowCorrupt(key, $"replica segment: {detail}");
}

/// <summary>
/// Builds a version 3 segment (<see cref="SegmentFormat"/>): steps in order, each started by <see cref="BeginStep"/>
/// and given its pages in ascending order, then <see cref="Finish"/>.
/// </summary>
internal sealed class SegmentWriter
{
    private readonly SegmentBuffer _buffer;
    private readonly int _pageSize;
    private int _stepStart = -1; // where the current step's header starts, -1 before the first
    private uint _stepPages;
    private uint _steps;

    /// <summary>Starts a segment of <paramref name="pageSize"/>-byte pages.</summary>
    public SegmentWriter(int pageSize, int capacity)
        : this(pageSize, new SegmentBuffer(capacity))
    {
    }

    /// <summary>Starts a segment of <paramref name="pageSize"/>-byte pages in <paramref name="buffer"/>, emptied first.</summary>
    public SegmentWriter(int pageSize, SegmentBuffer buffer)
    {
        _pageSize = pageSize;
        _buffer = buffer;
        _buffer.Reset();
        _buffer.Extend(SegmentFormat.HeaderSize);
    }

    /// <summary>Bytes of the segment so far.</summary>
    public int Length => _buffer.Length;

    /// <summary>Starts the next step: <paramref name="commits"/> of the generation through it, seen by <paramref name="at"/>, <paramref name="databaseSize"/> pages after it.</summary>
    public void BeginStep(long commits, DateTimeOffset at, uint databaseSize)
    {
        EndStep();
        _stepStart = _buffer.Length;
        Span<byte> header = _buffer.Extend(SegmentFormat.StepHeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)commits);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], SegmentFormat.MillisecondsUpTo(at));
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], databaseSize);
        _steps++;
    }

    /// <summary>Adds <paramref name="page"/> to the step as its whole image.</summary>
    public void AddWhole(PageNumber page, ReadOnlySpan<byte> image)
    {
        RecordHeader(page, isDelta: false, (uint)_pageSize);
        image.CopyTo(_buffer.Extend(_pageSize));
    }

    /// <summary>Adds <paramref name="page"/> to the step as <paramref name="after"/>, a delta against <paramref name="before"/> when that is smaller.</summary>
    public void AddVersion(PageNumber page, ReadOnlySpan<byte> before, ReadOnlySpan<byte> after)
    {
        int start = _buffer.Length;
        RecordHeader(page, isDelta: true, 0);
        int payloadStart = _buffer.Length;
        if (!PageDelta.TryEncode(before, after, _buffer))
        {
            _buffer.Truncate(start);
            _stepPages--;
            AddWhole(page, after);
            return;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.Written[(start + 5)..], (uint)(_buffer.Length - payloadStart));
    }

    /// <summary>Completes the segment's header and checksum.</summary>
    /// <returns>The object's bytes (in the writer's buffer) and its checksum.</returns>
    public (ArraySegment<byte> Bytes, ulong Checksum) Finish(SegmentInfo info)
    {
        EndStep();
        Span<byte> header = _buffer.Written;
        BinaryPrimitives.WriteUInt64LittleEndian(header, SegmentFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], SegmentFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)_pageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], (ulong)info.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], info.Previous);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], SegmentFormat.MillisecondsUpTo(info.CutAt));
        BinaryPrimitives.WriteUInt64LittleEndian(header[40..], (ulong)info.Commits);
        BinaryPrimitives.WriteUInt32LittleEndian(header[48..], info.DatabaseSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[52..], _steps);
        BinaryPrimitives.WriteUInt64LittleEndian(header[56..], info.StateHash ?? 0);
        ulong checksum = XxHash64.HashToUInt64(_buffer.Written);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.Extend(SegmentFormat.TrailerSize), checksum);
        return (_buffer.Segment, checksum);
    }

    private void RecordHeader(PageNumber page, bool isDelta, uint length)
    {
        Span<byte> record = _buffer.Extend(SegmentFormat.PageRecordHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(record, page.Value);
        record[4] = isDelta ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(record[5..], length);
        _stepPages++;
    }

    private void EndStep()
    {
        if (_stepStart >= 0)
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.Written[(_stepStart + 20)..], _stepPages);
        _stepPages = 0;
    }
}

/// <summary>The header fields of a segment (<see cref="SegmentFormat"/>).</summary>
/// <param name="Sequence">1, 2, ... within the generation.</param>
/// <param name="Previous">The checksum of the object before it in the generation.</param>
/// <param name="CutAt">When it was cut: every commit in it was made before then.</param>
/// <param name="Commits">Commits of the generation up to and including this segment.</param>
/// <param name="DatabaseSize">Pages in the database after it.</param>
/// <param name="StateHash">The <see cref="DatabaseStateHash"/> of the database after it; null in a version 1 segment.</param>
internal readonly record struct SegmentInfo(long Sequence, ulong Previous, DateTimeOffset CutAt, long Commits, uint DatabaseSize, ulong? StateHash = null);

/// <summary>A page of a step: its whole image, or a <see cref="PageDelta"/> against its version before the step.</summary>
internal readonly record struct PageRecord(PageNumber Page, bool IsDelta, ReadOnlyMemory<byte> Payload);

/// <summary>
/// One step of a segment: in version 3 one commit (or, first in a continued generation, the catch-up to the state its
/// mark held); in versions 1 and 2 the whole segment.
/// </summary>
/// <param name="Commits">Commits of the generation up to and including the step.</param>
/// <param name="At">When the replicator had seen the step's last commit (the cut time in versions 1 and 2).</param>
/// <param name="DatabaseSize">Pages in the database after the step.</param>
/// <param name="Pages">The pages it wrote, ascending.</param>
internal sealed record SegmentStep(long Commits, DateTimeOffset At, uint DatabaseSize, IReadOnlyList<PageRecord> Pages);

/// <summary>A decoded, checked segment.</summary>
internal sealed record Segment(SegmentInfo Info, ulong Checksum, uint Version, IReadOnlyList<SegmentStep> Steps);
