using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using static PageDb.Core.Pages.SlottedPageLayout;

namespace PageDb.Core.Pages;

/// <summary>
/// A writable view of a slotted page: opaque cells addressed by slot, with free space tracked to the byte.
/// <code>
/// offset size field
///  0     16   common page header (<see cref="PageHeader"/>)
/// 16      2   cell count (u16)
/// 18      2   content start (u16): lowest byte used by cell content; the page size when empty (0 encodes 65536)
/// 20      2   first freeblock (u16): offset of the lowest freeblock, 0 when none
/// 22      2   fragmented bytes (u16): free bytes in runs under 4 bytes, on no list
/// 24     16   user header: owned by the page's user (the B+tree keeps its links and counts here)
/// 40    4*n   cell pointers, in slot (key) order: u16 offset, u16 length of each cell
/// ...         the gap (free)
/// start..end  cell content, growing down from the end of the page, in any order, with freeblocks between cells:
///             a freeblock is u16 offset of the next freeblock (0 = last), u16 size (>= 4), then unused bytes
/// </code>
/// Invariants (checked by <see cref="SlottedPageReader.FindProblem"/>):
/// 1. 40 + 4 * cell count &lt;= content start &lt;= page size.
/// 2. Every cell lies inside [content start, page size), is at least 1 byte long, and overlaps no other cell or freeblock.
/// 3. Freeblocks lie inside the content area, are at least 4 bytes, and are listed in increasing offset order, never
///    touching each other (freeing coalesces neighbours) nor the content start (that space joins the gap).
/// 4. Free space is exact: gap + freeblock sizes + fragmented bytes = page size - 40 - 4 * cell count - cell lengths.
/// Allocation takes the first freeblock that fits, else the gap; only when neither fits but the total free space
/// does is the page defragmented (cells packed against the end, freeblocks and fragments turned into gap).
/// </summary>
internal ref struct SlottedPage
{
    private readonly Span<byte> _page;
    private readonly string _filePath;

    /// <summary>A view over an initialized slotted page of <paramref name="filePath"/> (named in corruption reports).</summary>
    public SlottedPage(Span<byte> page, string filePath)
    {
        Debug.Assert(page.Length is >= 4096 and <= 65536, "a slotted page is a whole page");
        _page = page;
        _filePath = filePath;
    }

    /// <summary>The number of cells.</summary>
    public readonly int CellCount => AsReader().CellCount;

    /// <summary>The 16 bytes the page's user owns.</summary>
    public readonly Span<byte> UserHeader => UserHeaderOf(_page);

    /// <summary>The 16 bytes the user of slotted page <paramref name="page"/> owns (no other field is read).</summary>
    public static Span<byte> UserHeaderOf(Span<byte> page) => page.Slice(UserHeaderOffset, UserHeaderSize);

    /// <summary>Bytes a new cell plus its pointer may use.</summary>
    public readonly int FreeSpace => AsReader().FreeSpace;

    /// <summary>Bytes used by cells and pointers.</summary>
    public readonly int UsedSpace => AsReader().UsedSpace;

    /// <summary>Writes an empty slotted page of <paramref name="type"/> numbered <paramref name="number"/> over <paramref name="page"/>.</summary>
    public static SlottedPage Format(Span<byte> page, PageType type, PageNumber number, string filePath)
    {
        PageHeader.Initialize(page, type, number);
        var slotted = new SlottedPage(page, filePath);
        slotted.ContentStart = page.Length;
        return slotted;
    }

    /// <summary>The largest cell an empty page of <paramref name="pageSize"/> bytes can hold.</summary>
    public static int MaxCellSize(int pageSize) => Math.Min(pageSize - PointerArrayOffset - PointerSize, ushort.MaxValue);

    /// <summary>A read-only view of the same bytes.</summary>
    public readonly SlottedPageReader AsReader() => new(_page, _filePath);

    /// <summary>The cell at slot <paramref name="index"/>.</summary>
    public readonly ReadOnlySpan<byte> GetCell(int index) => AsReader().GetCell(index);

    /// <summary>The cell at slot <paramref name="index"/>, for changing in place (its length is fixed).</summary>
    public readonly Span<byte> GetCellWritable(int index)
    {
        (int offset, int length) = AsReader().GetCellBounds(index);
        return _page.Slice(offset, length);
    }

    /// <summary>Checks every invariant; throws <see cref="CorruptDatabaseException"/> naming the page.</summary>
    public readonly void Verify(PageNumber number, string filePath) => AsReader().Verify(number, filePath);

    /// <summary>Inserts <paramref name="cell"/> at slot <paramref name="index"/>, shifting later slots up; false (page unchanged) when it does not fit.</summary>
    public bool TryInsert(int index, ReadOnlySpan<byte> cell)
    {
        int count = CellCount;
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)count, nameof(index));
        CheckCellLength(cell.Length);
        if (FreeSpace < cell.Length + PointerSize)
            return false;
        int offset = AllocateContent(cell.Length, extraGapNeeded: PointerSize);
        cell.CopyTo(_page[offset..]);
        int pointer = PointerArrayOffset + (index * PointerSize);
        int pointersEnd = PointerArrayOffset + (count * PointerSize);
        _page[pointer..pointersEnd].CopyTo(_page[(pointer + PointerSize)..]);
        WritePointer(index, offset, cell.Length);
        WriteU16(CellCountOffset, count + 1);
        return true;
    }

    /// <summary>Replaces the cell at slot <paramref name="index"/> with <paramref name="cell"/>; false (page unchanged) when it does not fit.</summary>
    public bool TryReplace(int index, ReadOnlySpan<byte> cell)
    {
        (int oldOffset, int oldLength) = AsReader().GetCellBounds(index);
        CheckCellLength(cell.Length);
        if (cell.Length == oldLength)
        {
            cell.CopyTo(_page[oldOffset..]);
            return true;
        }
        if (FreeSpace + oldLength < cell.Length)
            return false;
        WritePointer(index, 0, 0); // the slot holds nothing while its old content is freed and new content found
        FreeRange(oldOffset, oldLength);
        int offset = AllocateContent(cell.Length, extraGapNeeded: 0);
        cell.CopyTo(_page[offset..]);
        WritePointer(index, offset, cell.Length);
        return true;
    }

    /// <summary>Removes the cell at slot <paramref name="index"/>, shifting later slots down.</summary>
    public void Delete(int index)
    {
        (int offset, int length) = AsReader().GetCellBounds(index);
        int count = CellCount;
        int pointer = PointerArrayOffset + (index * PointerSize);
        int pointersEnd = PointerArrayOffset + (count * PointerSize);
        _page[(pointer + PointerSize)..pointersEnd].CopyTo(_page[pointer..]);
        WriteU16(CellCountOffset, count - 1);
        FreeRange(offset, length);
    }

    /// <summary>
    /// Zeroes the gap between the cell pointers and the cell content, which may hold bytes of cells that were moved or
    /// deleted: a page sealed with a zero gap logs smaller (the WAL elides its longest zero run) and keeps no stale
    /// data. Changes no cell and no free-space figure.
    /// </summary>
    public readonly void ClearGap()
    {
        SlottedPageReader reader = AsReader();
        _page.Slice(PointerArrayOffset + (reader.CellCount * PointerSize), reader.GapSize).Clear();
    }

    /// <summary>Removes every cell; the user header is kept.</summary>
    public void Clear()
    {
        WriteU16(CellCountOffset, 0);
        WriteU16(FirstFreeblockOffset, 0);
        WriteU16(FragmentedBytesOffset, 0);
        ContentStart = _page.Length;
    }

    /// <summary>Packs every cell against the end of the page, turning freeblocks and fragments into gap.</summary>
    public void Defragment()
    {
        int count = CellCount;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(_page.Length);
        try
        {
            _page.CopyTo(scratch);
            int end = _page.Length;
            for (int i = 0; i < count; i++)
            {
                int pointer = PointerArrayOffset + (i * PointerSize);
                int offset = ReadU16(pointer);
                int length = ReadU16(pointer + 2);
                if (length == 0)
                    continue; // a slot being replaced holds nothing yet
                end -= length;
                scratch.AsSpan(offset, length).CopyTo(_page[end..]);
                WritePointer(i, end, length);
            }
            ContentStart = end;
            WriteU16(FirstFreeblockOffset, 0);
            WriteU16(FragmentedBytesOffset, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private int ContentStart
    {
        readonly get => AsReader().ContentStart;
        set => WriteU16(ContentStartOffset, value == 65536 ? 0 : value);
    }

    private readonly int GapSize => AsReader().GapSize;

    /// <summary>
    /// Finds <paramref name="length"/> bytes of content space while leaving <paramref name="extraGapNeeded"/> bytes of
    /// gap (for a new pointer). The caller has checked the total free space suffices.
    /// </summary>
    private int AllocateContent(int length, int extraGapNeeded)
    {
        if (GapSize >= extraGapNeeded)
        {
            int fromFreeblock = TakeFromFreeblock(length);
            if (fromFreeblock != 0)
                return fromFreeblock;
        }
        if (GapSize < length + extraGapNeeded)
            Defragment();
        Debug.Assert(GapSize >= length + extraGapNeeded, "the caller checked the total free space");
        int start = ContentStart - length;
        ContentStart = start;
        return start;
    }

    /// <summary>First fit on the freeblock list; returns the offset taken, or 0 when no freeblock is large enough.</summary>
    private int TakeFromFreeblock(int length)
    {
        SlottedPageReader reader = AsReader();
        int previous = 0;
        for (int block = reader.NextFreeblock(0); block != 0; previous = block, block = reader.NextFreeblock(block))
        {
            int size = ReadU16(block + 2);
            if (size < length)
                continue;
            int remainder = size - length;
            if (remainder >= FreeblockHeaderSize)
            {
                // Keep the front of the block on the list; hand out its tail.
                WriteU16(block + 2, remainder);
                return block + remainder;
            }
            SetNextFreeblock(previous, ReadU16(block));
            WriteU16(FragmentedBytesOffset, ReadU16(FragmentedBytesOffset) + remainder);
            return block;
        }
        return 0;
    }

    /// <summary>Returns [offset, offset + length) to the free space, coalescing with neighbouring freeblocks and the gap.</summary>
    private void FreeRange(int offset, int length)
    {
        SlottedPageReader reader = AsReader();
        int start = offset, end = offset + length;
        int previous = 0, block = reader.NextFreeblock(0);
        while (block != 0 && block < start)
        {
            previous = block;
            block = reader.NextFreeblock(block);
        }
        int next = block;
        if (next != 0 && next == end)
        {
            end += ReadU16(next + 2);
            next = reader.NextFreeblock(next);
        }
        if (previous != 0 && previous + ReadU16(previous + 2) == start)
        {
            start = previous;
            previous = PreviousFreeblock(previous);
        }
        if (start == ContentStart)
        {
            SetNextFreeblock(previous, next);
            ContentStart = end;
            return;
        }
        if (end - start < FreeblockHeaderSize)
        {
            Debug.Assert(start == offset && end == offset + length, "a merged run is at least a freeblock long");
            WriteU16(FragmentedBytesOffset, ReadU16(FragmentedBytesOffset) + length);
            return;
        }
        WriteU16(start, next);
        WriteU16(start + 2, end - start);
        SetNextFreeblock(previous, start);
    }

    private readonly int PreviousFreeblock(int target)
    {
        SlottedPageReader reader = AsReader();
        int previous = 0;
        for (int block = reader.NextFreeblock(0); block != target; block = reader.NextFreeblock(block))
        {
            Debug.Assert(block != 0 && block < target, "the target was found on the list just before");
            previous = block;
        }
        return previous;
    }

    private void SetNextFreeblock(int previous, int next) =>
        WriteU16(previous == 0 ? FirstFreeblockOffset : previous, next);

    private readonly void CheckCellLength(int length)
    {
        if (length < 1 || length > MaxCellSize(_page.Length))
            throw new ArgumentOutOfRangeException(nameof(length), length, $"a cell is 1..{MaxCellSize(_page.Length)} bytes");
    }

    private void WritePointer(int index, int offset, int length)
    {
        int pointer = PointerArrayOffset + (index * PointerSize);
        WriteU16(pointer, offset);
        WriteU16(pointer + 2, length);
    }

    private readonly int ReadU16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_page[offset..]);

    private void WriteU16(int offset, int value) => BinaryPrimitives.WriteUInt16LittleEndian(_page[offset..], (ushort)value);
}
