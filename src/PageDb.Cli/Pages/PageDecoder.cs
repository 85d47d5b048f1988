using System.Buffers.Binary;
using System.Globalization;
using PageDb.Core.Pages;
using PageDb.Sql.Scan;

namespace PageDb.Cli.Pages;

/// <summary>
/// Writes one page as text: the common header, then what its type holds (file header fields, slotted-page header,
/// cell pointers, freeblocks and cells, overflow links, free-list entries). Reads the bytes only through the Core views.
/// </summary>
internal static class PageDecoder
{
    public static void Write(TextWriter output, ReadOnlySpan<byte> page, uint formatVersion, string filePath)
    {
        PageType type = PageHeader.GetType(page);
        output.WriteLine(Line($"page {PageHeader.GetPageNumber(page)}: {type}, {page.Length} bytes"));
        output.WriteLine(Line($"  checksum 0x{BinaryPrimitives.ReadUInt32LittleEndian(page[PageHeader.ChecksumOffset..]):x8}"));
        switch (type)
        {
            case PageType.FileHeader:
                WriteFileHeader(output, new FileHeaderPageReader(page));
                break;
            case PageType.BtreeLeaf or PageType.BtreeInterior or PageType.Slotted:
                SlottedPageDecoder.Write(output, page, type, formatVersion, filePath);
                break;
            case PageType.Overflow:
                WriteOverflow(output, page, filePath);
                break;
            case PageType.FreeListTrunk:
                WriteTrunk(output, new FreeListTrunkPageReader(page));
                break;
            default:
                output.WriteLine("  (a free page: its contents are meaningless)");
                break;
        }
    }

    private static void WriteFileHeader(TextWriter output, FileHeaderPageReader header)
    {
        output.WriteLine(Line($"  magic ok: {header.HasMagic}"));
        output.WriteLine(Line($"  format version {header.FormatVersion}"));
        output.WriteLine(Line($"  page size {header.PageSize}"));
        output.WriteLine(Line($"  page count {header.PageCount}"));
        output.WriteLine(Line($"  free list head {header.FreeListHead}, free pages {header.FreePageCount}"));
        output.WriteLine(Line($"  catalog root {header.CatalogRoot}"));
        output.WriteLine(Line($"  change counter {header.ChangeCounter}"));
        output.WriteLine(Line($"  database id 0x{header.DatabaseId:x16}"));
    }

    private static void WriteOverflow(TextWriter output, ReadOnlySpan<byte> page, string filePath)
    {
        PageNumber number = PageHeader.GetPageNumber(page);
        ReadOnlySpan<byte> data = OverflowPage.GetData(page, number, filePath);
        PageNumber next = OverflowPage.GetNext(page);
        output.WriteLine(Line($"  owner 0x{OverflowPage.GetOwner(page):x8}"));
        output.WriteLine(Line($"  next overflow page {(next.IsNone ? "none (last link)" : next.ToString())}"));
        output.WriteLine(Line($"  data {data.Length} bytes: {Preview(data)}"));
    }

    private static void WriteTrunk(TextWriter output, FreeListTrunkPageReader trunk)
    {
        output.WriteLine(Line($"  next trunk {(trunk.Next.IsNone ? "none" : trunk.Next.ToString())}"));
        output.WriteLine(Line($"  entries {trunk.Count}"));
        var entries = new List<string>(trunk.Count);
        for (int i = 0; i < trunk.Count; i++)
            entries.Add(trunk.GetEntry(i).ToString());
        if (entries.Count > 0)
            output.WriteLine("  free pages: " + string.Join(' ', entries));
    }

    /// <summary>The first bytes of a payload, as text or hex (<see cref="ByteText"/>), marked when cut.</summary>
    public static string Preview(ReadOnlySpan<byte> bytes)
    {
        const int Shown = 32;
        string text = ByteText.Format(bytes.Length <= Shown ? bytes : bytes[..Shown]);
        return bytes.Length <= Shown ? text : text + "...";
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
