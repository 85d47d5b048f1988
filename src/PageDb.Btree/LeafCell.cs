using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Core.Paging;

namespace PageDb.Btree;

/// <summary>
/// A leaf cell: one key and its value (or the value's prefix and a link to the overflow chain holding the rest).
/// <code>
/// offset    size  field
/// 0-1       u16   key length k (1..1024)
/// 2         u8    flags: bit 0 = value continues in an overflow chain; other bits zero
/// 3-6       u32   value length v (the whole value, 0..64 MiB)
/// 7..7+k          key bytes
/// inline:         v value bytes                      (cell length = 7 + k + v)
/// overflow:       p value-prefix bytes, then u32 first overflow page (cell length = 7 + k + p + 4, p &lt; v)
/// </code>
/// The local rule (<see cref="LocalValueLength"/>): a value is inline when its whole cell is at most
/// <see cref="MaxLocal"/> bytes, chosen so 4 such cells and their pointers fit on one page. Otherwise the cell keeps
/// a p-byte prefix, p = max(0, <see cref="MinLocal"/> - 11 - k), so leaves of large values stay dense; the rest,
/// v - p bytes, goes to an overflow chain. Keys are always local, so a cell with a key longer than MaxLocal - 11
/// bytes is larger than MaxLocal (up to 1,035 bytes); at least 3 such cells still fit on a 4 KB page.
/// Invariants:
/// 1. 1 &lt;= k &lt;= 1024; flags has no bit other than bit 0 set.
/// 2. Inline cells: length = 7 + k + v. Overflow cells: length = 7 + k + p + 4 with p &lt; v and a nonzero link to a
///    chain whose pages record <see cref="ChainOwner"/> (the key's hash), so a link into another value's chain is refused.
/// 3. Cells are written only by <see cref="Write"/>, so the local rule above holds for every cell.
/// </summary>
internal readonly ref struct LeafCell
{
    public const int KeyLengthOffset = 0;   // 0-1 u16
    public const int FlagsOffset = 2;       // 2-2 u8
    public const int ValueLengthOffset = 3; // 3-6 u32
    public const int HeaderSize = 7;
    public const byte OverflowFlag = 1;
    private const int LinkSize = 4;

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

    /// <summary>The largest cell whose value is kept inline.</summary>
    public static int MaxLocal(int pageSize) => (NodeHeader.Capacity(pageSize) / 4) - 4;

    /// <summary>The cell size an overflowing value's prefix fills up to (about 16 such cells fit on a page).</summary>
    public static int MinLocal(int pageSize) => (NodeHeader.Capacity(pageSize) / 16) - 4;

    /// <summary>The largest leaf cell on pages of <paramref name="pageSize"/> bytes.</summary>
    public static int MaxLength(int pageSize) =>
        Math.Max(MaxLocal(pageSize), HeaderSize + BTreeLimits.MaxKeyLength + LinkSize);

    /// <summary>How many value bytes stay in the cell; <paramref name="overflows"/> says whether the rest needs a chain.</summary>
    public static int LocalValueLength(int pageSize, int keyLength, int valueLength, out bool overflows)
    {
        int prefix = Math.Max(0, MinLocal(pageSize) - HeaderSize - LinkSize - keyLength);
        // An empty value never overflows: a chain holds at least one byte. Its cell may pass MaxLocal (a long key),
        // which MaxLength allows for.
        overflows = HeaderSize + keyLength + valueLength > MaxLocal(pageSize) && prefix < valueLength;
        return overflows ? prefix : valueLength;
    }

    /// <summary>The cell length for a key and value of these lengths.</summary>
    public static int Length(int pageSize, int keyLength, int valueLength)
    {
        int local = LocalValueLength(pageSize, keyLength, valueLength, out bool overflows);
        return HeaderSize + keyLength + local + (overflows ? LinkSize : 0);
    }

    /// <summary>
    /// Writes the cell for <paramref name="key"/> and <paramref name="value"/> into <paramref name="destination"/>,
    /// first storing the value's tail in a new overflow chain when the local rule says so. Returns the cell length.
    /// </summary>
    public static int Write(IPageAccessor pages, Span<byte> destination, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int local = LocalValueLength(pages.PageSize, key.Length, value.Length, out bool overflows);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[KeyLengthOffset..], (ushort)key.Length);
        destination[FlagsOffset] = overflows ? OverflowFlag : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[ValueLengthOffset..], (uint)value.Length);
        key.CopyTo(destination[HeaderSize..]);
        int at = HeaderSize + key.Length;
        value[..local].CopyTo(destination[at..]);
        at += local;
        if (!overflows)
            return at;
        PageNumber chain = OverflowChain.Write(pages, value[local..], OverflowChain.OwnerOf(key));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], chain.Value);
        return at + LinkSize;
    }

    /// <summary>Parses <paramref name="cell"/> of page <paramref name="page"/>, checking every length against the cell.</summary>
    public static LeafCell Read(ReadOnlySpan<byte> cell, PageNumber page, string filePath)
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
        int prefix = cell.Length - afterKey - LinkSize;
        if (flags != OverflowFlag || prefix < 0 || prefix >= valueLength)
            ThrowHelper.ThrowCorrupt(filePath, page, "overflow leaf cell has bad flags or lengths");
        var link = new PageNumber(BinaryPrimitives.ReadUInt32LittleEndian(cell[(cell.Length - LinkSize)..]));
        if (link.IsNone)
            ThrowHelper.ThrowCorrupt(filePath, page, "overflow leaf cell has no overflow page");
        return new LeafCell(cell.Slice(HeaderSize, keyLength), cell.Slice(afterKey, prefix), (int)valueLength, link);
    }

    /// <summary>The key of <paramref name="cell"/> alone (the binary search's hot path).</summary>
    public static ReadOnlySpan<byte> ReadKey(ReadOnlySpan<byte> cell, PageNumber page, string filePath) =>
        cell.Slice(HeaderSize, ReadKeyLength(cell, page, filePath));

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
