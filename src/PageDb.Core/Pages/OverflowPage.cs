using System.Buffers.Binary;

namespace PageDb.Core.Pages;

/// <summary>
/// One link of an overflow chain: a slice of a payload too large for its cell.
/// <code>
/// offset size field
///  0     12   common page header (<see cref="PageHeader"/>), type <see cref="PageType.Overflow"/>
/// 12      4   owner (u32): <see cref="Paging.OverflowChain.OwnerOf"/> of the owning cell's key, the same on every
///             page of a chain; 0 on chains written before owners were recorded (not checked)
/// 16      4   next page (u32): the following link, 0 on the last page
/// 20      4   data length (u32): payload bytes in this page
/// 24      n   payload bytes
/// </code>
/// Invariants: 1 &lt;= data length &lt;= page size - 24; every page but the last is full; every page of a chain holds
/// the owner of the chain's first page, which is 0 or the owner of the key whose cell links to it.
/// </summary>
internal readonly ref struct OverflowPage
{
    private const int OwnerOffset = 12;      // 12-15 u32
    private const int NextPageOffset = 16;   // 16-19 u32
    private const int DataLengthOffset = 20; // 20-23 u32

    /// <summary>Offset of the payload bytes.</summary>
    public const int DataOffset = 24;

    private readonly Span<byte> _page;

    /// <summary>A view over an overflow page.</summary>
    public OverflowPage(Span<byte> page) => _page = page;

    /// <summary>Payload bytes one page of <paramref name="pageSize"/> bytes holds.</summary>
    public static int Capacity(int pageSize) => pageSize - DataOffset;

    /// <summary>The next link, <see cref="PageNumber.None"/> on the last page.</summary>
    public static PageNumber GetNext(ReadOnlySpan<byte> page) => new(BinaryPrimitives.ReadUInt32LittleEndian(page[NextPageOffset..]));

    /// <summary>The owner recorded in <paramref name="page"/> (0 on pages written before owners were recorded).</summary>
    public static uint GetOwner(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt32LittleEndian(page[OwnerOffset..]);

    /// <summary>The payload bytes stored in <paramref name="page"/>, or a corruption report when the stored length is impossible.</summary>
    public static ReadOnlySpan<byte> GetData(ReadOnlySpan<byte> page, PageNumber number, string filePath)
    {
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(page[DataLengthOffset..]);
        if (length == 0 || length > (uint)Capacity(page.Length))
            ThrowHelper.ThrowCorrupt(filePath, number, $"overflow page holds an impossible {length} bytes");
        return page.Slice(DataOffset, (int)length);
    }

    /// <summary>Records the chain's owner in this page.</summary>
    public void SetOwner(uint owner) => BinaryPrimitives.WriteUInt32LittleEndian(_page[OwnerOffset..], owner);

    /// <summary>Links this page to <paramref name="next"/>.</summary>
    public void SetNext(PageNumber next) => BinaryPrimitives.WriteUInt32LittleEndian(_page[NextPageOffset..], next.Value);

    /// <summary>Stores <paramref name="data"/> (at most <see cref="Capacity"/> bytes) as this page's payload.</summary>
    public void SetData(ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_page[DataLengthOffset..], (uint)data.Length);
        data.CopyTo(_page[DataOffset..]);
    }
}
