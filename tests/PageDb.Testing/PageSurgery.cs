using System.Buffers.Binary;
using PageDb.Core.Pages;

namespace PageDb.Testing;

/// <summary>
/// Changes pages of a database file image the way a buggy tool or an attacker would: the change, then the page
/// checksum recomputed, so what meets the change are the checks behind the checksum, not the checksum itself.
/// </summary>
internal static class PageSurgery
{
    /// <summary>Offsets of a slotted page's header fields (the layout is on <see cref="SlottedPage"/>).</summary>
    public const int CellCountOffset = 16, ContentStartOffset = 18, FirstFreeblockOffset = 20, FragmentedBytesOffset = 22;

    /// <summary>Where cell pointers start on a slotted page (4 bytes each: u16 offset, u16 length).</summary>
    public const int PointerArrayOffset = 40;

    /// <summary>The type byte of page <paramref name="page"/> in <paramref name="file"/>.</summary>
    public static PageType TypeOf(byte[] file, int pageSize, uint page) => (PageType)file[page * (long)pageSize];

    /// <summary>The page numbers of every page of <paramref name="type"/> in <paramref name="file"/>.</summary>
    public static List<uint> PagesOfType(byte[] file, int pageSize, PageType type)
    {
        var pages = new List<uint>();
        for (uint page = 0; page < file.Length / pageSize; page++)
        {
            if (TypeOf(file, pageSize, page) == type)
                pages.Add(page);
        }
        return pages;
    }

    /// <summary>Page <paramref name="page"/> of <paramref name="file"/>, for changing in place; call <see cref="Reseal"/> after.</summary>
    public static Span<byte> Page(byte[] file, int pageSize, uint page) => file.AsSpan((int)(page * (long)pageSize), pageSize);

    /// <summary>Recomputes the checksum of page <paramref name="page"/> (its number stays what it records).</summary>
    public static void Reseal(byte[] file, int pageSize, uint page)
    {
        Span<byte> bytes = Page(file, pageSize, page);
        PageHeader.Seal(bytes, PageHeader.GetPageNumber(bytes));
    }

    /// <summary>Writes <paramref name="value"/> as a u16 at <paramref name="offset"/> of the page and reseals it.</summary>
    public static void SetU16(byte[] file, int pageSize, uint page, int offset, int value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Page(file, pageSize, page)[offset..], (ushort)value);
        Reseal(file, pageSize, page);
    }

    /// <summary>Empties a slotted page as a well-formed page with no cells (no freeblocks, no fragments) and reseals it.</summary>
    public static void SetNoCells(byte[] file, int pageSize, uint page)
    {
        SetU16(file, pageSize, page, CellCountOffset, 0);
        SetU16(file, pageSize, page, ContentStartOffset, pageSize);
        SetU16(file, pageSize, page, FirstFreeblockOffset, 0);
        SetU16(file, pageSize, page, FragmentedBytesOffset, 0);
    }

    /// <summary>Reads the u16 at <paramref name="offset"/> of the page.</summary>
    public static int GetU16(byte[] file, int pageSize, uint page, int offset) =>
        BinaryPrimitives.ReadUInt16LittleEndian(Page(file, pageSize, page)[offset..]);

    /// <summary>Writes <paramref name="value"/> as a u32 at <paramref name="offset"/> of the page and reseals it.</summary>
    public static void SetU32(byte[] file, int pageSize, uint page, int offset, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Page(file, pageSize, page)[offset..], value);
        Reseal(file, pageSize, page);
    }

    /// <summary>Runs <paramref name="action"/> on another thread and fails when it does not end within <paramref name="limit"/> (a hang).</summary>
    public static T WithinTimeLimit<T>(Func<T> action, TimeSpan limit, string context)
    {
        var task = Task.Run(action);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit))
            throw new TimeoutException($"hung (no end within {limit.TotalSeconds:0} s): {context}");
        return task.GetAwaiter().GetResult(); // the action's own exception, not an AggregateException
    }
}
