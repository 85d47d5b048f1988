using System.Buffers.Binary;
using System.IO.Hashing;
using PageDb.Core.Pages;

namespace PageDb.Wal;

/// <summary>
/// The bytes of a WAL file (<c>name.pagedb-wal</c>): one header, then frames back to back. Little-endian throughout.
/// <code>
/// WAL header, 48 bytes at offset 0
/// offset size field
///  0     8    magic "PageDbWL" (ASCII)
///  8     4    format version (u32), 5; versions 1 (no zero-run elided frames), 2 (one log file), 3 (no count
///             frames) and 4 (page 0 logged whenever the database grows) are still read, and their generation is
///             continued as that version wrote it (without elided frames, without a switch to the second file, without
///             count frames, with page 0 logged at every growth) until the next restart writes a version 5 header
/// 12     4    page size (u32): the database's page size
/// 16     8    database id (u64): the random id in the database file header; a WAL is never replayed into another file
/// 24     8    checkpoint sequence (u64): higher than both files' at every header written (restart, switch, forget);
///             recovery reads the two log files (-wal, -wal2) in the order of their sequences
/// 32     4    salt-1 (u32), random, never 0
/// 36     4    salt-2 (u32), random
/// 40     8    header checksum (u64): XxHash64, seed 0, of bytes [0, 40)
///
/// Frame = 32-byte frame header + stored image (the page, its zstd compression, the page without its longest zero
/// run: <see cref="ZeroRunElision"/>, or a count: see invariant 5)
/// offset size field
///  0     8    checksum (u64): XxHash64 with seed = the previous frame's checksum (the header checksum for the first
///             frame) over frame-header bytes [8, 32) followed by the stored image, which is one contiguous range
///  8     4    page number (u32)
/// 12     4    commit (u32): the database size in pages after the transaction, on its last frame; 0 = not a commit frame
/// 16     4    salt-1 (u32), copied from the header
/// 20     4    salt-2 (u32), copied from the header
/// 24     4    writer nonce (u32): random, drawn again whenever the writer rewinds its end (open, rollback, restart)
/// 28     2    flags (u16): bit 0 = the image is zstd-compressed; bit 1 = the image is the page without its longest
///             zero run; bit 2 = a count frame (version 4); at most one of them; other bits 0
/// 30     2    stored length (u16): stored image bytes when bit 0 or 1 is set (1 .. page size - 1), 8 when bit 2 is set,
///             else 0 and the stored image is exactly one page
/// </code>
/// Invariants:
/// 1. A frame is valid when its salts equal the header's, its flags and length are well formed, and its checksum
///    matches the chain. Recovery accepts frames from the first one on while they are valid and stops at the first
///    invalid one; the log's content is the valid prefix up to and including its last commit frame.
/// 2. Salt-1 is never 0, so zeroed (preallocated) space never validates and always ends the log.
/// 3. Every restart draws new salts and seeds the chain from a new header checksum, so frames of an older generation
///    never validate after a restart.
/// 4. The writer nonce changes whenever the writer overwrites space it wrote before in the same generation (after
///    recovery and after a rollback of spilled frames), so a rewritten frame never has the checksum of the frame it
///    replaces and the stale frames after it can never rejoin the chain.
/// 5. A count frame (bit 2) stores 8 bytes: the page is its previous frame in the same generation with page bytes
///    [32, 40) replaced by them and its page checksum computed afresh (a B-tree root's entry count lives there, so a
///    one-row insert into a shallow tree logs its leaf and a count instead of a second page). The previous frame of
///    the page in the generation (skipping count frames, which change only those bytes) is its base: a full frame that
///    stays in the log as long as the count frame does, so a torn write of the page during a checkpoint is redone
///    from the log like any other. A count frame whose page has no earlier frame in its generation is corrupt.
/// 6. The database size in pages is the last commit frame's commit field, not the page count in page 0 (the file
///    header): from version 5 a commit that only grows the database does not log page 0, so a logged page 0 (or the
///    file's, when the log has none) may count fewer pages than the commit; never more. Whatever makes page 0 a file's
///    header (a checkpoint, a backup, a replication segment, a header repair) stamps the commit's size on it.
/// XxHash64 rather than CRC-32: it is several times faster over page-sized inputs, takes the previous checksum as its
/// seed (the chain costs nothing extra), and its 64 bits make an accidental match of a stale or torn frame negligible.
/// </summary>
internal static class WalFormat
{
    /// <summary>The file's magic number: "PageDbWL" read as a little-endian u64.</summary>
    public const ulong Magic = 0x4C57_6244_6567_6150; // "PageDbWL"

    /// <summary>The format version this code writes.</summary>
    public const uint Version = 5;

    /// <summary>The oldest format version this code reads: version 1 differs only in having no zero-run elided frames.</summary>
    public const uint OldestReadableVersion = 1;

    /// <summary>The first version whose frames may be stored zero-run elided.</summary>
    public const uint ZeroRunElisionVersion = 2;

    /// <summary>The first version whose log may continue in a second file (<c>-wal2</c>); see <see cref="WriteAheadLog"/>.</summary>
    public const uint TwoFileVersion = 3;

    /// <summary>The first version whose frames may be count frames (invariant 5).</summary>
    public const uint CountFrameVersion = 4;

    /// <summary>The first version whose commits may grow the database without logging page 0 (invariant 6).</summary>
    public const uint UnloggedGrowthVersion = 5;

    /// <summary>Offset of the magic number.</summary>
    public const int MagicOffset = 0; // 0-7 u64

    /// <summary>Offset of the format version.</summary>
    public const int VersionOffset = 8; // 8-11 u32

    /// <summary>Offset of the page size.</summary>
    public const int PageSizeOffset = 12; // 12-15 u32

    /// <summary>Offset of the database id.</summary>
    public const int DatabaseIdOffset = 16; // 16-23 u64

    /// <summary>Offset of the checkpoint sequence.</summary>
    public const int CheckpointSequenceOffset = 24; // 24-31 u64

    /// <summary>Offset of salt-1 in the header.</summary>
    public const int HeaderSalt1Offset = 32; // 32-35 u32

    /// <summary>Offset of salt-2 in the header.</summary>
    public const int HeaderSalt2Offset = 36; // 36-39 u32

    /// <summary>Offset of the header checksum.</summary>
    public const int HeaderChecksumOffset = 40; // 40-47 u64

    /// <summary>Size of the WAL header; the first frame starts here.</summary>
    public const int HeaderSize = 48;

    /// <summary>Offset of the chained checksum in a frame header.</summary>
    public const int FrameChecksumOffset = 0; // 0-7 u64

    /// <summary>Offset of the first byte the frame checksum covers (the rest of the header, then the stored image).</summary>
    public const int FrameChecksummedOffset = 8;

    /// <summary>Offset of the page number in a frame header.</summary>
    public const int FramePageOffset = 8; // 8-11 u32

    /// <summary>Offset of the commit field (database size in pages, 0 = not a commit frame).</summary>
    public const int FrameCommitOffset = 12; // 12-15 u32

    /// <summary>Offset of salt-1 in a frame header.</summary>
    public const int FrameSalt1Offset = 16; // 16-19 u32

    /// <summary>Offset of salt-2 in a frame header.</summary>
    public const int FrameSalt2Offset = 20; // 20-23 u32

    /// <summary>Offset of the writer nonce in a frame header.</summary>
    public const int FrameNonceOffset = 24; // 24-27 u32

    /// <summary>Offset of the flags in a frame header.</summary>
    public const int FrameFlagsOffset = 28; // 28-29 u16

    /// <summary>Offset of the stored length of an encoded image in a frame header.</summary>
    public const int FrameCompressedLengthOffset = 30; // 30-31 u16

    /// <summary>Size of a frame header; the stored image follows it.</summary>
    public const int FrameHeaderSize = 32;

    /// <summary>Frame flag: the stored image is the zstd compression of the page.</summary>
    public const ushort FlagCompressed = 1;

    /// <summary>Frame flag: the stored image is the page without its longest run of zero bytes (<see cref="ZeroRunElision"/>).</summary>
    public const ushort FlagZeroRunElided = 2;

    /// <summary>Frame flag: the stored image is a count, put into the page's previous frame (invariant 5).</summary>
    public const ushort FlagCount = 4;

    /// <summary>The page offset of the 8 bytes a count frame replaces: a B-tree root's entry count (docs/FORMAT.md).</summary>
    public const int CountFieldOffset = 32; // 32-39 of the page

    /// <summary>The stored length of a count frame: the 8 bytes of the field it replaces.</summary>
    public const int CountStoredLength = 8;

    /// <summary>The smallest page size a WAL accepts.</summary>
    public const int MinPageSize = 4096;

    /// <summary>The largest page size a WAL accepts.</summary>
    public const int MaxPageSize = 65536;

    /// <summary>True when <paramref name="pageSize"/> is a power of two from 4096 to 65536.</summary>
    public static bool IsValidPageSize(int pageSize) =>
        pageSize is >= MinPageSize and <= MaxPageSize && int.IsPow2(pageSize);

    /// <summary>The bytes a frame whose image is stored in <paramref name="storedLength"/> bytes takes in the file.</summary>
    public static int FrameSize(int storedLength) => FrameHeaderSize + storedLength;

    /// <summary>
    /// True when the page <paramref name="image"/> equals <paramref name="previous"/> but for its count field and its
    /// page checksum, so that a count frame over <paramref name="previous"/> records it (invariant 5).
    /// </summary>
    public static bool DiffersOnlyInCount(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> image) =>
        previous.Length == image.Length
        && previous[..PageHeader.ChecksumOffset].SequenceEqual(image[..PageHeader.ChecksumOffset])
        && previous[(PageHeader.ChecksumOffset + 4)..CountFieldOffset].SequenceEqual(image[(PageHeader.ChecksumOffset + 4)..CountFieldOffset])
        && previous[(CountFieldOffset + CountStoredLength)..].SequenceEqual(image[(CountFieldOffset + CountStoredLength)..]);

    /// <summary>
    /// The checksum of <paramref name="frame"/> (frame header followed by its stored image of
    /// <paramref name="storedLength"/> bytes) chained from <paramref name="previous"/>. Allocates nothing.
    /// </summary>
    public static ulong FrameChecksum(ulong previous, ReadOnlySpan<byte> frame, int storedLength) =>
        XxHash64.HashToUInt64(frame[FrameChecksummedOffset..(FrameHeaderSize + storedLength)], unchecked((long)previous));
}

/// <summary>A view of the 48-byte WAL header (layout in <see cref="WalFormat"/>).</summary>
internal readonly ref struct WalHeader
{
    private readonly Span<byte> _bytes;

    /// <summary>Views the first <see cref="WalFormat.HeaderSize"/> bytes of <paramref name="bytes"/>.</summary>
    public WalHeader(Span<byte> bytes) => _bytes = bytes[..WalFormat.HeaderSize];

    /// <summary>The magic number.</summary>
    public ulong Magic => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[WalFormat.MagicOffset..]);

    /// <summary>The format version.</summary>
    public uint Version => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.VersionOffset..]);

    /// <summary>The page size of the database the WAL belongs to.</summary>
    public uint PageSize => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.PageSizeOffset..]);

    /// <summary>The id of the database the WAL belongs to.</summary>
    public ulong DatabaseId => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[WalFormat.DatabaseIdOffset..]);

    /// <summary>The number of restarts of this log.</summary>
    public ulong CheckpointSequence => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[WalFormat.CheckpointSequenceOffset..]);

    /// <summary>Salt-1 of this generation.</summary>
    public uint Salt1 => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.HeaderSalt1Offset..]);

    /// <summary>Salt-2 of this generation.</summary>
    public uint Salt2 => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.HeaderSalt2Offset..]);

    /// <summary>The stored header checksum, which also seeds the frame checksum chain.</summary>
    public ulong Checksum => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[WalFormat.HeaderChecksumOffset..]);

    /// <summary>The checksum the header's bytes should carry.</summary>
    public ulong ComputeChecksum() => XxHash64.HashToUInt64(_bytes[..WalFormat.HeaderChecksumOffset]);

    /// <summary>True when every byte is zero: a header never written (a new or preallocated file).</summary>
    public bool IsZero => !_bytes.ContainsAnyExcept((byte)0);

    /// <summary>Writes a complete header, checksum included.</summary>
    public void Write(int pageSize, ulong databaseId, ulong checkpointSequence, uint salt1, uint salt2)
    {
        System.Diagnostics.Debug.Assert(salt1 != 0, "salt-1 0 would let zeroed space validate");
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes[WalFormat.MagicOffset..], WalFormat.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.VersionOffset..], WalFormat.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.PageSizeOffset..], (uint)pageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes[WalFormat.DatabaseIdOffset..], databaseId);
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes[WalFormat.CheckpointSequenceOffset..], checkpointSequence);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.HeaderSalt1Offset..], salt1);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.HeaderSalt2Offset..], salt2);
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes[WalFormat.HeaderChecksumOffset..], ComputeChecksum());
    }

    /// <summary>
    /// Checks a header read from <paramref name="filePath"/>: checksum, magic, version, page size. Throws
    /// <see cref="CorruptDatabaseException"/> when any is wrong. (The database id is the caller's business: a foreign
    /// but sound log is discarded, not refused.)
    /// </summary>
    public void Verify(string filePath)
    {
        if (Checksum != ComputeChecksum())
            ThrowHelper.ThrowCorrupt(filePath, "the WAL header checksum does not match");
        if (Magic != WalFormat.Magic)
            ThrowHelper.ThrowCorrupt(filePath, "the file is not a PageDb write-ahead log (bad magic)");
        if (Version is < WalFormat.OldestReadableVersion or > WalFormat.Version)
            ThrowHelper.ThrowCorrupt(filePath, $"the WAL has an unknown format version ({Version}; this build reads {WalFormat.OldestReadableVersion} to {WalFormat.Version})");
        if (PageSize > WalFormat.MaxPageSize || !WalFormat.IsValidPageSize((int)PageSize))
            ThrowHelper.ThrowCorrupt(filePath, "the WAL header has an impossible page size");
        if (Salt1 == 0)
            ThrowHelper.ThrowCorrupt(filePath, "the WAL header has a zero salt");
    }
}

/// <summary>A view of a 32-byte frame header (layout in <see cref="WalFormat"/>).</summary>
internal readonly ref struct WalFrameHeader
{
    private readonly Span<byte> _bytes;

    /// <summary>Views the first <see cref="WalFormat.FrameHeaderSize"/> bytes of <paramref name="bytes"/>.</summary>
    public WalFrameHeader(Span<byte> bytes) => _bytes = bytes[..WalFormat.FrameHeaderSize];

    /// <summary>The page this frame holds a version of.</summary>
    public PageNumber Page => new(BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.FramePageOffset..]));

    /// <summary>The database size in pages after the transaction this frame commits; 0 when it is not a commit frame.</summary>
    public uint CommitSize => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.FrameCommitOffset..]);

    /// <summary>Salt-1 copied from the header.</summary>
    public uint Salt1 => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.FrameSalt1Offset..]);

    /// <summary>Salt-2 copied from the header.</summary>
    public uint Salt2 => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[WalFormat.FrameSalt2Offset..]);

    /// <summary>The flags (<see cref="WalFormat.FlagCompressed"/>, <see cref="WalFormat.FlagZeroRunElided"/>, <see cref="WalFormat.FlagCount"/>).</summary>
    public ushort Flags => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[WalFormat.FrameFlagsOffset..]);

    /// <summary>The stored length of an encoded image, or 0 for a whole page.</summary>
    public ushort CompressedLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[WalFormat.FrameCompressedLengthOffset..]);

    /// <summary>The stored chained checksum.</summary>
    public ulong Checksum => BinaryPrimitives.ReadUInt64LittleEndian(_bytes[WalFormat.FrameChecksumOffset..]);

    /// <summary>How the image is stored (meaningful when <see cref="StoredLength"/> accepts the flags).</summary>
    public FrameEncoding Encoding => (Flags & WalFormat.FlagCompressed) != 0 ? FrameEncoding.Zstd
        : (Flags & WalFormat.FlagZeroRunElided) != 0 ? FrameEncoding.ZeroRunElided
        : (Flags & WalFormat.FlagCount) != 0 ? FrameEncoding.Count : FrameEncoding.Page;

    /// <summary>
    /// The number of image bytes after this header, or -1 when the flags and length are malformed (an unknown flag,
    /// two encodings at once, a stored length of 0 or of a page or more for an encoded image, a length without a flag,
    /// a count frame of another length than 8).
    /// </summary>
    public int StoredLength(int pageSize)
    {
        if (Flags is not (0 or WalFormat.FlagCompressed or WalFormat.FlagZeroRunElided or WalFormat.FlagCount))
            return -1;
        if (Flags == 0)
            return CompressedLength == 0 ? pageSize : -1;
        if (Flags == WalFormat.FlagCount)
            return CompressedLength == WalFormat.CountStoredLength ? WalFormat.CountStoredLength : -1;
        return CompressedLength is > 0 && CompressedLength < pageSize ? CompressedLength : -1;
    }

    /// <summary>Writes every field but the checksum, which <see cref="SetChecksum"/> adds once the image is in place.</summary>
    public void Write(PageNumber page, uint commitSize, uint salt1, uint salt2, uint nonce, FrameEncoding encoding, int storedLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.FramePageOffset..], page.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.FrameCommitOffset..], commitSize);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.FrameSalt1Offset..], salt1);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.FrameSalt2Offset..], salt2);
        BinaryPrimitives.WriteUInt32LittleEndian(_bytes[WalFormat.FrameNonceOffset..], nonce);
        ushort flags = encoding switch
        {
            FrameEncoding.Zstd => WalFormat.FlagCompressed,
            FrameEncoding.ZeroRunElided => WalFormat.FlagZeroRunElided,
            FrameEncoding.Count => WalFormat.FlagCount,
            _ => 0,
        };
        BinaryPrimitives.WriteUInt16LittleEndian(_bytes[WalFormat.FrameFlagsOffset..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(_bytes[WalFormat.FrameCompressedLengthOffset..],
            encoding == FrameEncoding.Page ? (ushort)0 : (ushort)storedLength);
    }

    /// <summary>Stores the chained checksum.</summary>
    public void SetChecksum(ulong checksum) =>
        BinaryPrimitives.WriteUInt64LittleEndian(_bytes[WalFormat.FrameChecksumOffset..], checksum);
}
