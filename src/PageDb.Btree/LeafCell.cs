using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// A leaf cell: one key and its value (or the value's prefix and a link to the overflow chain holding the rest), in
/// one of two layouts chosen by the file's format version (<see cref="LeafCellFormat"/>).
/// <code>
/// classic (file format version 1)
/// offset    size  field
/// 0-1       u16   key length k (1..1024)
/// 2         u8    flags: bit 0 = value continues in an overflow chain; other bits zero
/// 3-6       u32   value length v (the whole value, 0..64 MiB)
/// 7..7+k          key bytes
/// inline:         v value bytes                      (cell length = 7 + k + v)
/// overflow:       p value-prefix bytes, then u32 first overflow page (cell length = 7 + k + p + 4, p &lt; v)
///
/// compact (file format version 2)
/// 0         h     varint 2k + o, h = 1 or 2 bytes: key length k (1..1024), o = 1 when the value continues in a chain
/// h..h+k          key bytes
/// inline (o=0):   the value: the rest of the cell     (cell length = h + k + v)
/// overflow (o=1): u32 value length v, p value-prefix bytes, u32 first overflow page (cell length = h + k + 4 + p + 4, p &lt; v)
/// </code>
/// The varint is unsigned LEB128 (7 bits a byte, low group first, high bit set on every byte but the last), in its
/// shortest form. The local rule (<see cref="LocalValueLength"/>): a value is inline when its whole cell is at most
/// <see cref="MaxLocal"/> bytes, chosen so 4 such cells and their pointers fit on one page. Otherwise the cell keeps
/// a p-byte prefix, p = max(0, <see cref="MinLocal"/> - (overflow cell overhead) - k), so leaves of large values stay
/// dense; the rest, v - p bytes, goes to an overflow chain. Keys are always local, so a cell with a long key may be
/// larger than MaxLocal (up to <see cref="MaxLength"/>); at least 3 such cells still fit on a 4 KB page.
/// Invariants:
/// 1. 1 &lt;= k &lt;= 1024; classic flags have no bit other than bit 0 set; a compact header is in its shortest form.
/// 2. Inline cells: the lengths above add up to the cell length. Overflow cells: p &lt; v and a nonzero link to a chain
///    whose pages record <see cref="ChainOwner"/> (the key's hash), so a link into another value's chain is refused.
/// 3. Cells are written only by <see cref="Write"/>, so the local rule above holds for every cell.
/// </summary>
internal readonly ref struct LeafCell
{
    public const int KeyLengthOffset = 0;   // classic 0-1 u16
    public const int FlagsOffset = 2;       // classic 2-2 u8
    public const int ValueLengthOffset = 3; // classic 3-6 u32
    public const int HeaderSize = 7;        // classic
    public const byte OverflowFlag = 1;
    private const int LinkSize = 4;
    private const int CompactValueLengthSize = 4; // compact overflow cells: u32 value length after the key

    private LeafCell(ReadOnlySpan<byte> key, ReadOnlySpan<byte> localValue, int valueLength, PageNumber overflowPage)
    {
        Key = key;
        LocalValue = localValue;
        ValueLength = valueLength;
        OverflowPage = overflowPage;
    }

    /// <summary>The key.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The value bytes kept in the cell: the whole value, or its prefix when <see cref="HasOverflow"/>.</summary>
    public ReadOnlySpan<byte> LocalValue { get; }

    /// <summary>The length of the whole value.</summary>
    public int ValueLength { get; }

    /// <summary>The first page of the overflow chain, or <see cref="PageNumber.None"/> when the value is inline.</summary>
    public PageNumber OverflowPage { get; }

    /// <summary>The owner every page of this cell's overflow chain records (<see cref="OverflowChain.OwnerOf"/> its key).</summary>
    public uint ChainOwner => OverflowChain.OwnerOf(Key);

    /// <summary>True when part of the value lives in an overflow chain.</summary>
    public bool HasOverflow => !OverflowPage.IsNone;

    /// <summary>The first file format version whose leaves hold compact cells.</summary>
    public const uint CompactFormatVersion = 2;

    /// <summary>The leaf-cell layout of the file <paramref name="pages"/> come from.</summary>
    public static LeafCellFormat FormatOf(IPageAccessor pages) => FormatOf(pages.FormatVersion);

    /// <summary>The leaf-cell layout of files of format version <paramref name="formatVersion"/>.</summary>
    public static LeafCellFormat FormatOf(uint formatVersion) =>
        formatVersion >= CompactFormatVersion ? LeafCellFormat.Compact : LeafCellFormat.Classic;

    /// <summary>The largest cell whose value is kept inline.</summary>
    public static int MaxLocal(int pageSize) => (NodeHeader.Capacity(pageSize) / 4) - 4;

    /// <summary>The cell size an overflowing value's prefix fills up to (about 16 such cells fit on a page).</summary>
    public static int MinLocal(int pageSize) => (NodeHeader.Capacity(pageSize) / 16) - 4;

    /// <summary>The largest leaf cell on pages of <paramref name="pageSize"/> bytes, in either format.</summary>
    public static int MaxLength(int pageSize) =>
        Math.Max(MaxLocal(pageSize), HeaderSize + BTreeLimits.MaxKeyLength + LinkSize);

    /// <summary>How many value bytes stay in the cell; <paramref name="overflows"/> says whether the rest needs a chain.</summary>
    public static int LocalValueLength(LeafCellFormat format, int pageSize, int keyLength, int valueLength, out bool overflows)
    {
        int prefix = Math.Max(0, MinLocal(pageSize) - Overhead(format, keyLength, overflows: true) - keyLength);
        // An empty value never overflows: a chain holds at least one byte. Its cell may pass MaxLocal (a long key),
        // which MaxLength allows for.
        overflows = Overhead(format, keyLength, overflows: false) + keyLength + valueLength > MaxLocal(pageSize) && prefix < valueLength;
        return overflows ? prefix : valueLength;
    }

    /// <summary>The cell length for a key and value of these lengths.</summary>
    public static int Length(LeafCellFormat format, int pageSize, int keyLength, int valueLength)
    {
        int local = LocalValueLength(format, pageSize, keyLength, valueLength, out bool overflows);
        return Overhead(format, keyLength, overflows) + keyLength + local;
    }

    /// <summary>
    /// Writes the cell for <paramref name="key"/> and <paramref name="value"/> into <paramref name="destination"/>,
    /// first storing the value's tail in a new overflow chain when the local rule says so. Returns the cell length.
    /// </summary>
    public static int Write(IPageAccessor pages, Span<byte> destination, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        LeafCellFormat format = FormatOf(pages);
        int local = LocalValueLength(format, pages.PageSize, key.Length, value.Length, out bool overflows);
        int at;
        if (format == LeafCellFormat.Classic)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[KeyLengthOffset..], (ushort)key.Length);
            destination[FlagsOffset] = overflows ? OverflowFlag : (byte)0;
            BinaryPrimitives.WriteUInt32LittleEndian(destination[ValueLengthOffset..], (uint)value.Length);
            at = HeaderSize;
        }
        else
        {
            at = WriteCompactHeader(destination, key.Length, overflows);
        }
        key.CopyTo(destination[at..]);
        at += key.Length;
        if (overflows && format == LeafCellFormat.Compact)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)value.Length);
            at += CompactValueLengthSize;
        }
        value[..local].CopyTo(destination[at..]);
        at += local;
        if (!overflows)
            return at;
        PageNumber chain = OverflowChain.Write(pages, value[local..], OverflowChain.OwnerOf(key));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], chain.Value);
        return at + LinkSize;
    }

    /// <summary>Parses <paramref name="cell"/> of page <paramref name="page"/>, checking every length against the cell.</summary>
    public static LeafCell Read(ReadOnlySpan<byte> cell, LeafCellFormat format, PageNumber page, string filePath) =>
        format == LeafCellFormat.Classic ? ReadClassic(cell, page, filePath) : ReadCompact(cell, page, filePath);

    /// <summary>The key of <paramref name="cell"/> alone (the binary search's hot path).</summary>
    public static ReadOnlySpan<byte> ReadKey(ReadOnlySpan<byte> cell, LeafCellFormat format, PageNumber page, string filePath)
    {
        if (format == LeafCellFormat.Classic)
            return cell.Slice(HeaderSize, ReadKeyLength(cell, page, filePath));
        int keyStart = ReadCompactHeader(cell, page, filePath, out int keyLength, out _);
        return cell.Slice(keyStart, keyLength);
    }

    /// <summary>Bytes of a cell besides its key and local value bytes.</summary>
    private static int Overhead(LeafCellFormat format, int keyLength, bool overflows) => format == LeafCellFormat.Classic
        ? HeaderSize + (overflows ? LinkSize : 0)
        : (keyLength < 64 ? 1 : 2) + (overflows ? CompactValueLengthSize + LinkSize : 0);

    private static LeafCell ReadClassic(ReadOnlySpan<byte> cell, PageNumber page, string filePath)
    {
        int keyLength = ReadKeyLength(cell, page, filePath);
        byte flags = cell[FlagsOffset];
        uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(cell[ValueLengthOffset..]);
        int afterKey = HeaderSize + keyLength;
        if (valueLength > BTreeLimits.MaxValueLength)
            ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell value length exceeds the 64 MiB limit");
        if (flags == 0)
        {
            if (cell.Length != afterKey + valueLength)
                ThrowHelper.ThrowCorrupt(filePath, page, "inline leaf cell length disagrees with its value length");
            return new LeafCell(cell.Slice(HeaderSize, keyLength), cell[afterKey..], (int)valueLength, PageNumber.None);
        }
        if (flags != OverflowFlag)
            ThrowHelper.ThrowCorrupt(filePath, page, "overflow leaf cell has bad flags or lengths");
        return ReadOverflow(cell, cell.Slice(HeaderSize, keyLength), afterKey, valueLength, page, filePath);
    }

    private static LeafCell ReadCompact(ReadOnlySpan<byte> cell, PageNumber page, string filePath)
    {
        int keyStart = ReadCompactHeader(cell, page, filePath, out int keyLength, out bool overflows);
        int afterKey = keyStart + keyLength;
        ReadOnlySpan<byte> key = cell.Slice(keyStart, keyLength);
        if (!overflows)
            return new LeafCell(key, cell[afterKey..], cell.Length - afterKey, PageNumber.None);
        if (cell.Length < afterKey + CompactValueLengthSize)
            ThrowHelper.ThrowCorrupt(filePath, page, "overflow leaf cell has bad flags or lengths");
        uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(cell[afterKey..]);
        if (valueLength > BTreeLimits.MaxValueLength)
            ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell value length exceeds the 64 MiB limit");
        return ReadOverflow(cell, key, afterKey + CompactValueLengthSize, valueLength, page, filePath);
    }

    /// <summary>The prefix from <paramref name="prefixStart"/> to the link at the cell's end, checked against the value length.</summary>
    private static LeafCell ReadOverflow(ReadOnlySpan<byte> cell, ReadOnlySpan<byte> key, int prefixStart, uint valueLength, PageNumber page, string filePath)
    {
        int prefix = cell.Length - prefixStart - LinkSize;
        if (prefix < 0 || prefix >= valueLength)
            ThrowHelper.ThrowCorrupt(filePath, page, "overflow leaf cell has bad flags or lengths");
        var link = new PageNumber(BinaryPrimitives.ReadUInt32LittleEndian(cell[(cell.Length - LinkSize)..]));
        if (link.IsNone)
            ThrowHelper.ThrowCorrupt(filePath, page, "overflow leaf cell has no overflow page");
        return new LeafCell(key, cell.Slice(prefixStart, prefix), (int)valueLength, link);
    }

    private static int WriteCompactHeader(Span<byte> destination, int keyLength, bool overflows)
    {
        int header = (keyLength << 1) | (overflows ? 1 : 0);
        if (header < 0x80)
        {
            destination[0] = (byte)header;
            return 1;
        }
        destination[0] = (byte)(header | 0x80);
        destination[1] = (byte)(header >> 7);
        return 2;
    }

    /// <summary>Reads a compact cell's header; returns where its key starts.</summary>
    private static int ReadCompactHeader(ReadOnlySpan<byte> cell, PageNumber page, string filePath, out int keyLength, out bool overflows)
    {
        if (cell.IsEmpty)
            ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell shorter than its header");
        int header = cell[0];
        int keyStart = 1;
        if (header >= 0x80)
        {
            if (cell.Length < 2 || cell[1] == 0 || cell[1] >= 0x80)
                ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell header is not a short varint");
            header = (header & 0x7F) | (cell[1] << 7);
            keyStart = 2;
        }
        keyLength = header >> 1;
        overflows = (header & 1) != 0;
        if (keyLength == 0 || keyLength > BTreeLimits.MaxKeyLength || keyStart + keyLength > cell.Length)
            ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell key length out of range");
        return keyStart;
    }

    /// <summary>Copies the whole value into <paramref name="destination"/> (exactly <see cref="ValueLength"/> bytes), following the chain.</summary>
    public void CopyValueTo(IPageAccessor pages, Span<byte> destination)
    {
        LocalValue.CopyTo(destination);
        if (HasOverflow)
            OverflowChain.Read(pages, OverflowPage, ChainOwner, destination[LocalValue.Length..ValueLength]);
    }

    /// <summary>The whole value as a new array.</summary>
    public byte[] ToValueArray(IPageAccessor pages)
    {
        var value = ValueLength == 0 ? [] : GC.AllocateUninitializedArray<byte>(ValueLength);
        CopyValueTo(pages, value);
        return value;
    }

    private static int ReadKeyLength(ReadOnlySpan<byte> cell, PageNumber page, string filePath)
    {
        if (cell.Length < HeaderSize)
            ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell shorter than its header");
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(cell);
        if (keyLength == 0 || keyLength > BTreeLimits.MaxKeyLength || HeaderSize + keyLength > cell.Length)
            ThrowHelper.ThrowCorrupt(filePath, page, "leaf cell key length out of range");
        return keyLength;
    }
}
