using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using PageDb.Core.Pages;

namespace PageDb.Replication;

/// <summary>
/// The bytes of a segment object: the pages that the commits of one shipping interval changed, as they stand after
/// the last of those commits, chained to the object before it in the generation.
/// <code>
/// offset size field (little-endian)
///  0      8   magic: ASCII "PDBSEG01"
///  8      4   format version (u32): 2 (version 1, without the state hash, is still read)
/// 12      4   page size (u32)
/// 16      8   sequence (u64): 1, 2, ... within the generation (the snapshot is 0)
/// 24      8   previous checksum (u64): the checksum of sequence - 1 (the snapshot's for sequence 1)
/// 32      8   cut time (i64, Unix milliseconds UTC): every commit in the segment was acknowledged before it
/// 40      8   commits (u64): commits of the generation up to and including this segment
/// 48      4   database size (u32): pages in the database after the segment, the header included
/// 52      4   page count N (u32), at least 1
/// 56      8   state hash (u64, version 2 only): <see cref="DatabaseStateHash"/> of the database after the segment
/// 64      N * (4 + page size): page number (u32), then the whole page image (stamped and checksummed as in the file)
///             (at 56 in version 1)
/// end-8   8   checksum (u64): XxHash64 of every byte before it
/// </code>
/// Invariants (a violation is a damaged object):
/// 1. The checksum covers the whole object, so an object is used whole or not at all (checked by <see cref="Decode"/>).
/// 2. Page numbers ascend strictly and are below the database size (checked by <see cref="Decode"/>); every image
///    passes its own page checksum (checked when applied, <c>ReplicatedCommit</c>, before any page is written).
/// 3. A generation is a chain: sequence k's previous checksum is sequence k - 1's checksum. A restore applies
///    sequence 1, 2, ... while the chain holds, so a missing, stale or foreign object stops it at the last good commit.
/// 4. The state hash (version 2) is what a restarted replicator compares its database's history with to continue the
///    generation (<see cref="GenerationResume"/>); restore and replicas do not need it.
/// </summary>
internal static class SegmentFormat
{
    public const ulong Magic = 0x3130_4745_5347_4450; // "PDBSEG01"
    public const uint Version = 2;
    public const int HeaderSize = 64;
    private const int Version1HeaderSize = 56;
    public const int TrailerSize = 8;

    private const int VersionOffset = 8;       // 8-11 u32
    private const int PageSizeOffset = 12;     // 12-15 u32
    private const int SequenceOffset = 16;     // 16-23 u64
    private const int PreviousOffset = 24;     // 24-31 u64
    private const int CutTimeOffset = 32;      // 32-39 i64
    private const int CommitsOffset = 40;      // 40-47 u64
    private const int DatabaseSizeOffset = 48; // 48-51 u32
    private const int PageCountOffset = 52;    // 52-55 u32
    private const int StateHashOffset = 56;    // 56-63 u64, version 2

    /// <summary>
    /// Encodes a segment of <paramref name="pages"/> (ascending), reading each image with <paramref name="readPage"/>,
    /// then asking <paramref name="stateHash"/> for the state hash (so a caller can hash the images as they are read;
    /// <see cref="SegmentInfo.StateHash"/> of <paramref name="info"/> is not used).
    /// </summary>
    /// <returns>The object's bytes and its checksum.</returns>
    public static (byte[] Bytes, ulong Checksum) Encode(SegmentInfo info, int pageSize, IReadOnlyList<PageNumber> pages, Action<PageNumber, Span<byte>> readPage, Func<ulong> stateHash)
    {
        int record = 4 + pageSize;
        var bytes = new byte[HeaderSize + (pages.Count * record) + TrailerSize];
        Span<byte> header = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[VersionOffset..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PageSizeOffset..], (uint)pageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(header[SequenceOffset..], (ulong)info.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(header[PreviousOffset..], info.Previous);
        BinaryPrimitives.WriteInt64LittleEndian(header[CutTimeOffset..], info.CutAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt64LittleEndian(header[CommitsOffset..], (ulong)info.Commits);
        BinaryPrimitives.WriteUInt32LittleEndian(header[DatabaseSizeOffset..], info.DatabaseSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PageCountOffset..], (uint)pages.Count);
        for (int i = 0; i < pages.Count; i++)
        {
            Span<byte> slot = bytes.AsSpan(HeaderSize + (i * record), record);
            BinaryPrimitives.WriteUInt32LittleEndian(slot, pages[i].Value);
            readPage(pages[i], slot[4..]);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(header[StateHashOffset..], stateHash());
        ulong checksum = XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - TrailerSize));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - TrailerSize), checksum);
        return (bytes, checksum);
    }

    /// <summary>Decodes and checks a segment object read from <paramref name="key"/>.</summary>
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
        if (version is not (1 or Version))
            Corrupt(key, $"its format version is {version}, this build reads 1 to {Version}");
        int headerSize = version == 1 ? Version1HeaderSize : HeaderSize;
        if (bytes.Length < headerSize + TrailerSize)
            Corrupt(key, "it is too short for its header");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[PageSizeOffset..]) != pageSize)
            Corrupt(key, $"its page size is {BinaryPrimitives.ReadUInt32LittleEndian(header[PageSizeOffset..])}, the database's {pageSize}");
        var info = new SegmentInfo(
            (long)BinaryPrimitives.ReadUInt64LittleEndian(header[SequenceOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[PreviousOffset..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(header[CutTimeOffset..])),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(header[CommitsOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[DatabaseSizeOffset..]),
            version == 1 ? null : BinaryPrimitives.ReadUInt64LittleEndian(header[StateHashOffset..]));
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header[PageCountOffset..]);
        int record = 4 + pageSize;
        if (count == 0 || (long)count * record != bytes.Length - headerSize - TrailerSize)
            Corrupt(key, $"it claims {count} pages but holds {bytes.Length} bytes");
        var pages = new List<(PageNumber Page, ReadOnlyMemory<byte> Image)>((int)count);
        uint previousPage = 0;
        for (int i = 0; i < count; i++)
        {
            int offset = headerSize + (i * record);
            uint page = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
            if ((i > 0 && page <= previousPage) || page >= info.DatabaseSize)
                Corrupt(key, $"page {page} is out of order or past the database size {info.DatabaseSize}");
            pages.Add((new PageNumber(page), bytes.AsMemory(offset + 4, pageSize)));
            previousPage = page;
        }
        return new Segment(info, checksum, pages);
    }

    [DoesNotReturn]
    private static void Corrupt(string key, string detail) => ThrowHelper.ThrowCorrupt(key, $"replica segment: {detail}");
}

/// <summary>The header fields of a segment (<see cref="SegmentFormat"/>).</summary>
/// <param name="Sequence">1, 2, ... within the generation.</param>
/// <param name="Previous">The checksum of the object before it in the generation.</param>
/// <param name="CutAt">When it was cut: every commit in it was acknowledged before then.</param>
/// <param name="Commits">Commits of the generation up to and including this segment.</param>
/// <param name="DatabaseSize">Pages in the database after it.</param>
/// <param name="StateHash">The <see cref="DatabaseStateHash"/> of the database after it; null in a version 1 segment.</param>
internal readonly record struct SegmentInfo(long Sequence, ulong Previous, DateTimeOffset CutAt, long Commits, uint DatabaseSize, ulong? StateHash = null);

/// <summary>A decoded, checked segment.</summary>
internal sealed record Segment(SegmentInfo Info, ulong Checksum, IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> Pages);
