using System.Buffers.Binary;
using PageDb.Core.Pages;
using static PageDb.Cli.Pages.PageDecoder;

namespace PageDb.Cli.Pages;

/// <summary>
/// Writes a slotted page: its header, cell pointers, freeblock chain and cells, decoding B+tree leaf and interior
/// cells (keys, values, child and overflow links). A broken invariant is printed, never thrown: this is for looking
/// at damaged pages too.
/// </summary>
internal static class SlottedPageDecoder
{

    public static void Write(TextWriter output, ReadOnlySpan<byte> page, PageType type, string filePath)
    {
        var reader = new SlottedPageReader(page, filePath);
        output.WriteLine(Line($"  cells {reader.CellCount}, content start {reader.ContentStart}, first freeblock {reader.FirstFreeblock}, fragmented bytes {reader.FragmentedBytes}"));
        output.WriteLine(Line($"  free space {reader.FreeSpace} (gap {reader.GapSize}), used {reader.UsedSpace}"));
        string? problem = reader.FindProblem();
        if (problem is not null)
        {
            output.WriteLine("  PROBLEM: " + problem);
            return;
        }
        WriteNodeHeader(output, reader.UserHeader, type);
        WriteFreeblocks(output, page, reader.FirstFreeblock);
        for (int i = 0; i < reader.CellCount; i++)
        {
            (int offset, int length) = reader.GetCellBounds(i);
            output.WriteLine(Line($"  cell {i} at {offset}, {length} bytes: {DescribeCell(reader.GetCell(i), type)}"));
        }
    }

    private static void WriteNodeHeader(TextWriter output, ReadOnlySpan<byte> user, PageType type)
    {
        if (type == PageType.BtreeInterior)
            output.WriteLine(Line($"  rightmost child {BinaryPrimitives.ReadUInt32LittleEndian(user[BtreeCellLayout.RightmostChildOffset..])}"));
        ulong entries = BinaryPrimitives.ReadUInt64LittleEndian(user[BtreeCellLayout.EntryCountOffset..]);
        if (type != PageType.Slotted && entries != 0)
            output.WriteLine(Line($"  tree entry count {entries} (this page is a root)"));
    }

    private static void WriteFreeblocks(TextWriter output, ReadOnlySpan<byte> page, int first)
    {
        for (int block = first; block != 0; block = BinaryPrimitives.ReadUInt16LittleEndian(page[block..]))
            output.WriteLine(Line($"  freeblock at {block}, {BinaryPrimitives.ReadUInt16LittleEndian(page[(block + 2)..])} bytes"));
    }

    private static string DescribeCell(ReadOnlySpan<byte> cell, PageType type) => type switch
    {
        PageType.BtreeLeaf => DescribeLeafCell(cell),
        PageType.BtreeInterior => DescribeInteriorCell(cell),
        _ => Preview(cell),
    };

    private static string DescribeLeafCell(ReadOnlySpan<byte> cell)
    {
        if (cell.Length < BtreeCellLayout.LeafHeaderSize)
            return "MALFORMED: shorter than a leaf cell header";
        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(cell[BtreeCellLayout.LeafKeyLengthOffset..]);
        bool overflow = (cell[BtreeCellLayout.LeafFlagsOffset] & BtreeCellLayout.LeafOverflowFlag) != 0;
        uint valueLength = BinaryPrimitives.ReadUInt32LittleEndian(cell[BtreeCellLayout.LeafValueLengthOffset..]);
        int linkSize = overflow ? BtreeCellLayout.OverflowLinkSize : 0;
        if (BtreeCellLayout.LeafHeaderSize + keyLength + linkSize > cell.Length)
            return Line($"MALFORMED: key length {keyLength} does not fit the cell");
        ReadOnlySpan<byte> key = cell.Slice(BtreeCellLayout.LeafHeaderSize, keyLength);
        ReadOnlySpan<byte> local = cell[(BtreeCellLayout.LeafHeaderSize + keyLength)..^linkSize];
        string text = Line($"key {Preview(key)} -> value {valueLength} bytes: {Preview(local)}");
        if (!overflow)
            return text;
        uint link = BinaryPrimitives.ReadUInt32LittleEndian(cell[^BtreeCellLayout.OverflowLinkSize..]);
        return Line($"{text} ({local.Length} local, rest in overflow chain from page {link})");
    }

    private static string DescribeInteriorCell(ReadOnlySpan<byte> cell)
    {
        if (cell.Length < BtreeCellLayout.InteriorKeyOffset)
            return "MALFORMED: shorter than an interior cell";
        uint child = BinaryPrimitives.ReadUInt32LittleEndian(cell[BtreeCellLayout.InteriorChildOffset..]);
        return Line($"child {child}, separator {Preview(cell[BtreeCellLayout.InteriorKeyOffset..])}");
    }
}
