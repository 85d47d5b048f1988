using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PageDb.Core.Pages;

/// <summary>
/// Page 0 of a database file: what the file is and where everything starts.
/// <code>
/// offset size field
///  0     16   common page header (<see cref="PageHeader"/>): type 1 (FileHeader), page number 0, checksum
/// 16     16   magic: ASCII "PageDb database" followed by one 0 byte
/// 32      4   format version (u32): 1, or 2 (written now: compact leaf cells); kept for the file's life
/// 36      4   page size in bytes (u32): a power of two, 4096..65536
/// 40      4   page count (u32): pages in the database, page 0 included
/// 44      4   free-list head (u32): the first free-list trunk page, 0 when the free list is empty
/// 48      4   free page count (u32): trunk pages plus the pages they list
/// 52      4   catalog root (u32): root page of the catalog tree, 0 when there is none yet
/// 56      8   change counter (u64): incremented each time the header is written by a flush or checkpoint
/// 64      8   database id (u64): random, fixed at creation; a WAL records it and is never replayed into another file
/// 72     56   reserved: written as zeros, ignored when read
/// 128-        zeros
/// </code>
/// Invariants (checked by <see cref="FileHeaderPageReader.Verify"/>):
/// 1. The magic is exact and the format version is 1..<see cref="CurrentFormatVersion"/>.
/// 2. The page size is a power of two in <see cref="MinPageSize"/>..<see cref="MaxPageSize"/> and equals the page's length.
/// 3. 1 &lt;= page count; the free-list head and catalog root are below the page count.
/// 4. free page count &lt; page count, and it is 0 exactly when the free-list head is 0.
/// 5. The file is at least page count * page size bytes long (checked on open, <see cref="FileHeaderPageReader.CheckFileLength"/>).
/// Which checks run first matters: a file that is not a PageDb database, or is from a newer version, is reported as such
/// (<see cref="PageDbException"/>) before its checksum is even looked at; every other fault is corruption.
/// </summary>
internal readonly ref struct FileHeaderPage
{
    /// <summary>
    /// The format version this code writes and the newest it reads. Version 1: the first; version 2: B+tree leaves
    /// hold compact cells (a varint header instead of 7 bytes). A file keeps the version it was created with.
    /// </summary>
    public const uint CurrentFormatVersion = 2;

    /// <summary>The smallest page size.</summary>
    public const int MinPageSize = 4096;

    /// <summary>The largest page size.</summary>
    public const int MaxPageSize = 65536;

    /// <summary>The page size of a new database unless another is asked for.</summary>
    public const int DefaultPageSize = 4096;

    internal const int MagicOffset = 16;          // 16-31 16 bytes
    internal const int MagicLength = 16;
    internal const int FormatVersionOffset = 32;  // 32-35 u32
    internal const int PageSizeOffset = 36;       // 36-39 u32
    internal const int PageCountOffset = 40;      // 40-43 u32
    internal const int FreeListHeadOffset = 44;   // 44-47 u32
    internal const int FreePageCountOffset = 48;  // 48-51 u32
    internal const int CatalogRootOffset = 52;    // 52-55 u32
    internal const int ChangeCounterOffset = 56;  // 56-63 u64
    internal const int DatabaseIdOffset = 64;     // 64-71 u64

    /// <summary>Bytes from the start of the file that hold every field (what must be read to learn the page size).</summary>
    public const int FieldsEnd = 72;

    private readonly Span<byte> _page;

    /// <summary>A writable view over page 0.</summary>
    public FileHeaderPage(Span<byte> page)
    {
        Debug.Assert(page.Length >= MinPageSize, "a header page is a whole page");
        _page = page;
    }

    /// <summary>The magic bytes at offset 16.</summary>
    public static ReadOnlySpan<byte> Magic => "PageDb database\0"u8;

    /// <summary>True when <paramref name="pageSize"/> is a page size PageDb supports.</summary>
    public static bool IsValidPageSize(long pageSize) =>
        pageSize is >= MinPageSize and <= MaxPageSize && BitOperations.IsPow2(pageSize);

    /// <summary>Writes a fresh header for an empty database (page count 1, no free pages, no catalog) into <paramref name="page"/>.</summary>
    public static FileHeaderPage Format(Span<byte> page, ulong databaseId)
    {
        if (!IsValidPageSize(page.Length))
            ThrowHelper.ThrowArgument(nameof(page), "a header page must be a whole page of a valid page size");
        PageHeader.Initialize(page, PageType.FileHeader, PageNumber.Header);
        Magic.CopyTo(page[MagicOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(page[FormatVersionOffset..], CurrentFormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(page[PageSizeOffset..], (uint)page.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(page[DatabaseIdOffset..], databaseId);
        var header = new FileHeaderPage(page) { PageCount = 1 };
        return header;
    }

    /// <summary>A read-only view of the same bytes.</summary>
    public FileHeaderPageReader AsReader() => new(_page);

    /// <summary>The page size recorded in the header.</summary>
    public int PageSize => AsReader().PageSize;

    /// <summary>The database id.</summary>
    public ulong DatabaseId => AsReader().DatabaseId;

    /// <summary>Pages in the database, page 0 included.</summary>
    public uint PageCount
    {
        get => AsReader().PageCount;
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[PageCountOffset..], value);
    }

    /// <summary>The first free-list trunk page, or <see cref="PageNumber.None"/>.</summary>
    public PageNumber FreeListHead
    {
        get => AsReader().FreeListHead;
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[FreeListHeadOffset..], value.Value);
    }

    /// <summary>Pages on the free list, trunks included.</summary>
    public uint FreePageCount
    {
        get => AsReader().FreePageCount;
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[FreePageCountOffset..], value);
    }

    /// <summary>The catalog tree's root page, or <see cref="PageNumber.None"/>.</summary>
    public PageNumber CatalogRoot
    {
        get => AsReader().CatalogRoot;
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[CatalogRootOffset..], value.Value);
    }

    /// <summary>Incremented each time the header is persisted.</summary>
    public ulong ChangeCounter
    {
        get => AsReader().ChangeCounter;
        set => BinaryPrimitives.WriteUInt64LittleEndian(_page[ChangeCounterOffset..], value);
    }

    /// <summary>Checks every invariant; see <see cref="FileHeaderPageReader.Verify"/>.</summary>
    public void Verify(string filePath) => AsReader().Verify(filePath);
}

/// <summary>A read-only view over page 0; see <see cref="FileHeaderPage"/> for the layout and invariants.</summary>
internal readonly ref struct FileHeaderPageReader
{
    private readonly ReadOnlySpan<byte> _page;

    /// <summary>A view over page 0 (or, for <see cref="ValidateIdentity"/>, at least its first <see cref="FileHeaderPage.FieldsEnd"/> bytes).</summary>
    public FileHeaderPageReader(ReadOnlySpan<byte> page)
    {
        Debug.Assert(page.Length >= FileHeaderPage.FieldsEnd, "too short to hold the header fields");
        _page = page;
    }

    /// <summary>True when the magic bytes are PageDb's.</summary>
    public bool HasMagic => _page.Slice(FileHeaderPage.MagicOffset, FileHeaderPage.MagicLength).SequenceEqual(FileHeaderPage.Magic);

    /// <summary>The format version.</summary>
    public uint FormatVersion => ReadU32(FileHeaderPage.FormatVersionOffset);

    /// <summary>The page size in bytes, as recorded (validate before trusting it).</summary>
    public int PageSize => (int)Math.Min(ReadU32(FileHeaderPage.PageSizeOffset), int.MaxValue);

    /// <summary>Pages in the database, page 0 included.</summary>
    public uint PageCount => ReadU32(FileHeaderPage.PageCountOffset);

    /// <summary>The first free-list trunk page, or <see cref="PageNumber.None"/>.</summary>
    public PageNumber FreeListHead => new(ReadU32(FileHeaderPage.FreeListHeadOffset));

    /// <summary>Pages on the free list, trunks included.</summary>
    public uint FreePageCount => ReadU32(FileHeaderPage.FreePageCountOffset);

    /// <summary>The catalog tree's root page, or <see cref="PageNumber.None"/>.</summary>
    public PageNumber CatalogRoot => new(ReadU32(FileHeaderPage.CatalogRootOffset));

    /// <summary>Incremented each time the header is persisted.</summary>
    public ulong ChangeCounter => BinaryPrimitives.ReadUInt64LittleEndian(_page[FileHeaderPage.ChangeCounterOffset..]);

    /// <summary>The database's random id, fixed at creation.</summary>
    public ulong DatabaseId => BinaryPrimitives.ReadUInt64LittleEndian(_page[FileHeaderPage.DatabaseIdOffset..]);

    /// <summary>
    /// The checks that can run on the first bytes of a file before its page size is known: is it PageDb's at all
    /// (invariant 1) and is its page size sane (invariant 2). Returns the page size. Never reads past
    /// <paramref name="prefix"/>, whatever its length.
    /// </summary>
    /// <exception cref="PageDbException">Not a PageDb database, or written by a newer format version.</exception>
    /// <exception cref="CorruptDatabaseException">Too short, a format version of 0, or an invalid page size.</exception>
    public static int ValidateIdentity(ReadOnlySpan<byte> prefix, string filePath)
    {
        int magicBytes = Math.Clamp(prefix.Length - FileHeaderPage.MagicOffset, 0, FileHeaderPage.MagicLength);
        if (prefix.Length > FileHeaderPage.MagicOffset
            && !prefix.Slice(FileHeaderPage.MagicOffset, magicBytes).SequenceEqual(FileHeaderPage.Magic[..magicBytes]))
            ThrowNotADatabase(filePath);
        if (prefix.Length < FileHeaderPage.FieldsEnd)
            ThrowHelper.ThrowCorrupt(filePath, "the file is too short to hold a file header (empty, truncated, or not a PageDb database)");
        var reader = new FileHeaderPageReader(prefix);
        uint version = reader.FormatVersion;
        if (version > FileHeaderPage.CurrentFormatVersion)
            ThrowNewerVersion(filePath, version);
        if (version == 0)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "format version 0 is not valid");
        uint pageSize = reader.ReadU32(FileHeaderPage.PageSizeOffset);
        if (!FileHeaderPage.IsValidPageSize(pageSize))
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "the page size is not a power of two from 4096 to 65536");
        return (int)pageSize;
    }

    /// <summary>Checks that a file of <paramref name="fileLength"/> bytes holds every page the header counts (invariant 5).</summary>
    public void CheckFileLength(long fileLength, string filePath)
    {
        if (fileLength < (long)PageCount * PageSize)
            ThrowHelper.ThrowCorrupt(filePath, "the file is shorter than its page count says (truncated)");
    }

    /// <summary>Checks invariants 1-4 of a whole header page. Throws <see cref="CorruptDatabaseException"/> (or
    /// <see cref="PageDbException"/> for a foreign file or newer version) naming <paramref name="filePath"/>.</summary>
    public void Verify(string filePath)
    {
        if (PageHeader.GetType(_page) != PageType.FileHeader)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "page 0 is not a file header page");
        int pageSize = ValidateIdentity(_page, filePath);
        if (pageSize != _page.Length)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "the header's page size disagrees with the page it was read as");
        uint pageCount = PageCount;
        if (pageCount == 0)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "page count 0");
        if (FreeListHead.Value >= pageCount || CatalogRoot.Value >= pageCount)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "the free-list head or catalog root is past the end of the database");
        if (FreePageCount >= pageCount || (FreePageCount == 0) != FreeListHead.IsNone)
            ThrowHelper.ThrowCorrupt(filePath, PageNumber.Header, "the free page count disagrees with the page count or the free-list head");
    }

    private uint ReadU32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_page[offset..]);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotADatabase(string filePath) =>
        throw new PageDbException($"'{filePath}' is not a PageDb database (its header does not carry the PageDb magic bytes).");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNewerVersion(string filePath, uint version) =>
        throw new PageDbException(
            $"'{filePath}' uses PageDb file format version {version}; this version of PageDb reads format versions up to {FileHeaderPage.CurrentFormatVersion}. Open it with a newer PageDb.");
}
