using System.Buffers.Binary;
using System.IO.Hashing;

namespace PageDb.Core.Pages;

/// <summary>
/// The 16-byte header every page starts with, and the page checksum.
/// <code>
/// offset size field
///  0     1    page type (<see cref="PageType"/>; 0 is never valid)
///  1     3    reserved, zero
///  4     4    page number (u32): the page's own number, so a page written to the wrong place is detected
///  8     4    checksum (u32): CRC-32 of bytes [0, 8) and [12, pageSize)
/// 12     4    reserved for the page type's own use
/// </code>
/// Invariants:
/// 1. A page on disk always carries a checksum matching its bytes and its own page number.
/// 2. The checksum is set only when a page is written to a file or shipped (<see cref="Seal"/>) and checked only
///    when read from one or applied from a segment (<see cref="Verify"/>); in memory the field may be stale and
///    nobody reads it. A buffer-pool page cached under a WAL frame's key is sealed when the frame holds its image,
///    but not when the commit logged it as a count frame (only its count is in the log; a read of the frame
///    rebuilds and reseals it), so whoever copies a pooled page out to ship it seals the copy
///    (<c>ReplicationSource.ReadPage</c>).
/// </summary>
internal static class PageHeader
{
    /// <summary>Offset of the page type byte.</summary>
    public const int TypeOffset = 0; // 0-0 u8

    /// <summary>Offset of the page's own number.</summary>
    public const int PageNumberOffset = 4; // 4-7 u32

    /// <summary>Offset of the checksum.</summary>
    public const int ChecksumOffset = 8; // 8-11 u32

    /// <summary>Size of the common header; page-type headers start here.</summary>
    public const int Size = 16;

    /// <summary>The page type recorded in <paramref name="page"/>.</summary>
    public static PageType GetType(ReadOnlySpan<byte> page) => (PageType)page[TypeOffset];

    /// <summary>The page number recorded in <paramref name="page"/>.</summary>
    public static PageNumber GetPageNumber(ReadOnlySpan<byte> page) =>
        new(BinaryPrimitives.ReadUInt32LittleEndian(page[PageNumberOffset..]));

    /// <summary>Clears <paramref name="page"/> and writes a fresh header for a page of <paramref name="type"/> numbered <paramref name="number"/>.</summary>
    public static void Initialize(Span<byte> page, PageType type, PageNumber number)
    {
        page.Clear();
        page[TypeOffset] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(page[PageNumberOffset..], number.Value);
    }

    /// <summary>Changes the type byte of an initialized page.</summary>
    public static void SetType(Span<byte> page, PageType type) => page[TypeOffset] = (byte)type;

    // One per thread, reset before each use: a new one per checksum was a commit's (and every page read's) allocation,
    // and on this project's virtual machine a commit whose allocations reach fresh memory pays ~24 µs per page touched.
    [ThreadStatic]
    private static Crc32? t_crc;

    /// <summary>Computes the checksum of <paramref name="page"/> (excluding the checksum field itself).</summary>
    public static uint ComputeChecksum(ReadOnlySpan<byte> page)
    {
        Crc32 crc = t_crc ??= new Crc32();
        crc.Reset();
        crc.Append(page[..ChecksumOffset]);
        crc.Append(page[(ChecksumOffset + 4)..]);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>Stamps the page number and checksum just before the page is written to a file.</summary>
    public static void Seal(Span<byte> page, PageNumber number)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(page[PageNumberOffset..], number.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(page[ChecksumOffset..], ComputeChecksum(page));
    }

    /// <summary>True when <paramref name="page"/> carries its own checksum and the page number <paramref name="number"/>.</summary>
    public static bool IsSealed(ReadOnlySpan<byte> page, PageNumber number) =>
        BinaryPrimitives.ReadUInt32LittleEndian(page[ChecksumOffset..]) == ComputeChecksum(page) && GetPageNumber(page) == number;

    /// <summary>True when <paramref name="page"/> is a slotted page (a B+tree leaf or interior, or a plain slotted page).</summary>
    public static bool IsSlotted(ReadOnlySpan<byte> page) => GetType(page) is PageType.BtreeLeaf or PageType.BtreeInterior or PageType.Slotted;

    /// <summary>True when <paramref name="type"/> is one of the defined page types.</summary>
    public static bool IsKnownType(PageType type) => type is >= PageType.FileHeader and <= PageType.Slotted;

    /// <summary>
    /// Checks a page just read from <paramref name="filePath"/> at <paramref name="number"/>: checksum, recorded page
    /// number, and a known page type. Throws <see cref="CorruptDatabaseException"/> naming the file and page otherwise.
    /// </summary>
    public static void Verify(ReadOnlySpan<byte> page, PageNumber number, string filePath)
    {
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(page[ChecksumOffset..]);
        if (stored != ComputeChecksum(page))
            ThrowHelper.ThrowCorrupt(filePath, number, "checksum mismatch");
        if (GetPageNumber(page) != number)
            ThrowHelper.ThrowCorrupt(filePath, number, "page records a different page number (misplaced or stale write)");
        if (!IsKnownType(GetType(page)))
            ThrowHelper.ThrowCorrupt(filePath, number, "unknown page type");
    }
}
