using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using static PageDb.Core.Pages.SlottedPageLayout;

namespace PageDb.Core.Pages;

/// <summary>
/// A read-only view of a slotted page (layout and invariants on <see cref="SlottedPage"/>). Every stored offset and
/// length it follows is checked against the page bounds, so a corrupt page raises <see cref="CorruptDatabaseException"/>
/// naming the page and never reads outside it.
/// </summary>
internal readonly ref struct SlottedPageReader
{
    private readonly ReadOnlySpan<byte> _page;
    private readonly string _filePath;

    /// <summary>A view over <paramref name="page"/>; <paramref name="filePath"/> names the file in corruption reports.</summary>
    public SlottedPageReader(ReadOnlySpan<byte> page, string filePath)
    {
        _page = page;
        _filePath = filePath;
    }

    /// <summary>The number of cells. A count whose pointer array would not fit in the page is corruption.</summary>
    public int CellCount
    {
        get
        {
            int count = ReadU16(CellCountOffset);
            if (PointerArrayOffset + (count * PointerSize) > _page.Length)
                Corrupt("cell count larger than the page can hold");
            return count;
        }
    }

    /// <summary>The lowest byte used by cell content; the free gap ends here.</summary>
    public int ContentStart
    {
        get
        {
            int start = ReadU16(ContentStartOffset);
            return start == 0 ? 65536 : start;
        }
    }

    /// <summary>Offset of the first freeblock, 0 when there is none.</summary>
    public int FirstFreeblock => ReadU16(FirstFreeblockOffset);

    /// <summary>Free bytes in runs too small to track (under 4 bytes).</summary>
    public int FragmentedBytes => ReadU16(FragmentedBytesOffset);

    /// <summary>The 16 bytes the page's user owns.</summary>
    public ReadOnlySpan<byte> UserHeader => UserHeaderOf(_page);

    /// <summary>The 16 bytes the user of slotted page <paramref name="page"/> owns (no other field is read).</summary>
    public static ReadOnlySpan<byte> UserHeaderOf(ReadOnlySpan<byte> page) => page.Slice(UserHeaderOffset, UserHeaderSize);

    /// <summary>The unused bytes between the pointer array and the cell content.</summary>
    public int GapSize => ContentStart - (PointerArrayOffset + (CellCount * PointerSize));

    /// <summary>Bytes a new cell and its 4-byte pointer may use: the gap, the freeblocks and the fragments.</summary>
    public int FreeSpace => GapSize + FreeblockBytes() + FragmentedBytes;

    /// <summary>Bytes used by cell content and pointers.</summary>
    public int UsedSpace => _page.Length - PointerArrayOffset - FreeSpace;

    /// <summary>The length of the page in bytes.</summary>
    public int PageSize => _page.Length;

    /// <summary>
    /// Asks the CPU to start loading the first bytes of cell <paramref name="index"/> into its caches, so that several
    /// cells a search will compare arrive in parallel instead of one cache miss after another. Only a hint: it checks
    /// nothing, reads only the cell's pointer when <paramref name="index"/> is below <paramref name="cellCount"/>
    /// (<see cref="CellCount"/>, read by the caller) and the pointer lies in the page, and never faults; an offset past the page prefetches nothing,
    /// and so does a CPU without a prefetch instruction.
    /// </summary>
    public unsafe void PrefetchCell(int index, int cellCount)
    {
        if (!Sse.IsSupported || (uint)index >= (uint)cellCount || (uint)index >= (uint)((_page.Length - PointerArrayOffset) / PointerSize))
            return;
        int offset = ReadU16(PointerArrayOffset + (index * PointerSize));
        if (offset >= _page.Length)
            return;
        fixed (byte* page = _page)
            Sse.Prefetch0(page + offset);
    }

    /// <summary>The cell at slot <paramref name="index"/> (slots are in key order).</summary>
    public ReadOnlySpan<byte> GetCell(int index)
    {
        (int offset, int length) = GetCellBounds(index);
        return _page.Slice(offset, length);
    }

    /// <summary>The offset and length of the cell at <paramref name="index"/>, checked against the page.</summary>
    public (int Offset, int Length) GetCellBounds(int index)
    {
        int count = CellCount;
        if ((uint)index >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, "no such cell");
        int pointer = PointerArrayOffset + (index * PointerSize);
        int offset = ReadU16(pointer);
        int length = ReadU16(pointer + 2);
        if (offset < PointerArrayOffset + (count * PointerSize) || offset + length > _page.Length || length == 0)
            Corrupt("a cell pointer points outside the cell content area");
        return (offset, length);
    }

    /// <summary>
    /// Checks every invariant listed on <see cref="SlottedPage"/>; throws <see cref="CorruptDatabaseException"/> naming
    /// <paramref name="number"/> and <paramref name="filePath"/> on the first one broken.
    /// </summary>
    public void Verify(PageNumber number, string filePath)
    {
        string? problem = FindProblem();
        if (problem is not null)
            ThrowHelper.ThrowCorrupt(filePath, number, problem);
    }

    /// <summary>The first broken invariant, or null when the page is sound. Allocates nothing unless it finds one.</summary>
    public string? FindProblem()
    {
        int count = ReadU16(CellCountOffset);
        int pointersEnd = PointerArrayOffset + (count * PointerSize);
        int contentStart = ContentStart;
        if (pointersEnd > contentStart || contentStart > _page.Length)
            return $"pointer array end {pointersEnd} is past the content start {contentStart} or the page end";
        long cellBytes = 0;
        bool downwards = true, upwards = true; // each cell lies wholly below (above) the one before it in slot order
        int previousOffset = _page.Length, previousEnd = contentStart;
        for (int i = 0; i < count; i++)
        {
            int offset = ReadU16(PointerArrayOffset + (i * PointerSize));
            int length = ReadU16(PointerArrayOffset + (i * PointerSize) + 2);
            if (length == 0 || offset < contentStart || offset + length > _page.Length)
                return $"cell {i} ({offset}+{length}) lies outside the content area [{contentStart}, {_page.Length})";
            downwards &= offset + length <= previousOffset;
            upwards &= offset >= previousEnd;
            previousOffset = offset;
            previousEnd = offset + length;
            cellBytes += length;
        }
        // Cells placed in slot order (a bulk load, appends, a rebuilt page: most pages) cannot overlap one another, so
        // without freeblocks the page needs no map of its bytes; otherwise every cell and freeblock claims its bytes.
        bool mapBytes = !(downwards || upwards) || FirstFreeblock != 0;
        Span<ulong> used = stackalloc ulong[mapBytes ? _page.Length / 64 : 0]; // one bit per byte of the page: at most 8 KiB
        used.Clear();
        for (int i = 0; mapBytes && i < count; i++)
        {
            int offset = ReadU16(PointerArrayOffset + (i * PointerSize));
            int length = ReadU16(PointerArrayOffset + (i * PointerSize) + 2);
            if (!TryClaim(used, offset, length))
                return $"cell {i} ({offset}+{length}) overlaps another cell";
        }
        long freeblockBytes = 0;
        previousEnd = -1;
        for (int block = FirstFreeblock; block != 0; block = ReadU16(block))
        {
            if (block < contentStart || block + FreeblockHeaderSize > _page.Length)
                return $"freeblock at {block} lies outside the content area";
            int size = ReadU16(block + 2);
            if (size < FreeblockHeaderSize || block + size > _page.Length)
                return $"freeblock at {block} has a bad size {size}";
            // Increasing offsets also bound the walk: a cycle must step back somewhere.
            if (block <= previousEnd)
                return $"freeblock at {block} is not after the previous one (unsorted, overlapping, adjacent or cyclic list)";
            if (!TryClaim(used, block, size))
                return $"freeblock at {block} overlaps a cell";
            previousEnd = block + size;
            freeblockBytes += size;
        }
        long accounted = (contentStart - pointersEnd) + freeblockBytes + FragmentedBytes;
        long expected = _page.Length - pointersEnd - cellBytes;
        if (accounted != expected)
            return $"free space is not accounted exactly: gap + freeblocks + fragments = {accounted}, but the page has {expected} bytes not in cells or pointers";
        return null;
    }

    /// <summary>
    /// The freeblock after <paramref name="block"/> (0 = the list's head), 0 at the end. Each one must lie above the one
    /// before it and inside the content area, so every walk of the list ends within page size / 4 steps, whatever the
    /// page holds; a cycle or a stray link is <see cref="CorruptDatabaseException"/>.
    /// </summary>
    public int NextFreeblock(int block)
    {
        int next = ReadU16(block == 0 ? FirstFreeblockOffset : block);
        if (next != 0 && (next <= block || next < ContentStart || next + FreeblockHeaderSize > _page.Length))
            Corrupt($"the freeblock list steps from {block} to {next}: not upwards inside the content area (a cycle or a stray link)");
        return next;
    }

    /// <summary>Marks bytes [start, start + length) in <paramref name="used"/>; false when any was marked already.</summary>
    private static bool TryClaim(Span<ulong> used, int start, int length)
    {
        int end = start + length;
        for (int at = start; at < end;)
        {
            int bit = at & 63;
            int bits = Math.Min(64 - bit, end - at);
            ulong mask = (bits == 64 ? ulong.MaxValue : (1UL << bits) - 1) << bit;
            ref ulong word = ref used[at >> 6];
            if ((word & mask) != 0)
                return false;
            word |= mask;
            at += bits;
        }
        return true;
    }

    private int FreeblockBytes()
    {
        int total = 0;
        for (int block = NextFreeblock(0); block != 0; block = NextFreeblock(block))
            total += ReadU16(block + 2);
        return total;
    }

    private int ReadU16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_page[offset..]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Corrupt(string detail) =>
        ThrowHelper.ThrowCorrupt(_filePath, PageHeader.GetPageNumber(_page), detail);
}
