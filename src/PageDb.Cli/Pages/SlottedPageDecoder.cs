using System.Buffers.Binary;
using PageDb.Btree;
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

    public static void Write(TextWriter output, ReadOnlySpan<byte> page, PageType type, uint formatVersion, string filePath)
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
            output.WriteLine(Line($"  cell {i} at {offset}, {length} bytes: {DescribeCell(reader.GetCell(i), type, LeafCell.FormatOf(formatVersion), PageHeader.GetPageNumber(page), filePath)}"));
        }
    }

    private static void WriteNodeHeader(TextWriter output, ReadOnlySpan<byte> user, PageType type)
    {
        if (type == PageType.BtreeInterior)
            output.WriteLine(Line($"  rightmost child {NodeHeader.GetRightmostChild(user).Value}"));
        long entries = NodeHeader.GetEntryCount(user);
        if (type != PageType.Slotted && entries != 0)
            output.WriteLine(Line($"  tree entry count {entries} (this page is a root)"));
    }

    private static void WriteFreeblocks(TextWriter output, ReadOnlySpan<byte> page, int first)
    {
        for (int block = first; block != 0; block = BinaryPrimitives.ReadUInt16LittleEndian(page[block..]))
            output.WriteLine(Line($"  freeblock at {block}, {BinaryPrimitives.ReadUInt16LittleEndian(page[(block + 2)..])} bytes"));
    }

    /// <summary>Decodes a cell with the B+tree's own cell readers (one source of truth for the layout); a cell they
    /// refuse is printed with their reason.</summary>
    private static string DescribeCell(ReadOnlySpan<byte> cell, PageType type, LeafCellFormat format, PageNumber page, string filePath)
    {
        try
        {
            return type switch
            {
                PageType.BtreeLeaf => DescribeLeafCell(LeafCell.Read(cell, format, page, filePath)),
                PageType.BtreeInterior => DescribeInteriorCell(InteriorCell.Read(cell, page, filePath)),
                _ => Preview(cell),
            };
        }
        catch (CorruptDatabaseException e)
        {
            return Line($"MALFORMED: {e.Detail}");
        }
    }

    private static string DescribeLeafCell(LeafCell cell)
    {
        string text = Line($"key {Preview(cell.Key)} -> value {cell.ValueLength} bytes: {Preview(cell.LocalValue)}");
        if (!cell.HasOverflow)
            return text;
        return Line($"{text} ({cell.LocalValue.Length} local, rest in overflow chain from page {cell.OverflowPage.Value})");
    }

    private static string DescribeInteriorCell(InteriorCell cell) =>
        Line($"child {cell.Child.Value}, separator {Preview(cell.Key)}");
}
