using System.Buffers.Binary;
using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>
/// The B+tree's use of a slotted page's 16-byte user header (page bytes 24-39), and the node-level facts shared by
/// the tree, the cursor and the checker.
/// <code>
/// user  page   size field
///  0-3  24-27  u32  rightmost child (interior pages: the child holding keys >= the last separator); 0 in leaves
///  4-7  28-31  u32  reserved, zero
///  8-15 32-39  u64  entry count of the whole tree (root page only; 0 on every other page)
/// </code>
/// Invariants:
/// 1. A tree page has type <see cref="PageType.BtreeLeaf"/> or <see cref="PageType.BtreeInterior"/>; every leaf is
///    at the same depth.
/// 2. An interior page with n cells has n + 1 children: the n cells' left children, then the rightmost child.
/// 3. Only the root's entry count is meaningful; it equals the number of leaf cells in the tree.
/// </summary>
internal static class NodeHeader
{
    public const int RightmostChildOffset = 0; // user 0-3 u32
    public const int ReservedOffset = 4;       // user 4-7 u32
    public const int EntryCountOffset = 8;     // user 8-15 u64

    /// <summary>Bytes before the cell pointer array: common header (16), slotted header (8), user header (16).</summary>
    public const int SlottedHeaderSize = 40;

    /// <summary>
    /// Depth limit of any tree: a page holds at least 3 cells, so 64 levels is far beyond any file, and a deeper
    /// descent can only be a cycle in corrupt links.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>Bytes of a page available to cells and their 4-byte pointers.</summary>
    public static int Capacity(int pageSize) => pageSize - SlottedHeaderSize;

    /// <summary>What one cell of <paramref name="cellLength"/> bytes costs on a page, pointer included.</summary>
    public static int CellCost(int cellLength) => cellLength + 4;

    public static PageNumber GetRightmostChild(ReadOnlySpan<byte> userHeader) =>
        new(BinaryPrimitives.ReadUInt32LittleEndian(userHeader[RightmostChildOffset..]));

    public static void SetRightmostChild(Span<byte> userHeader, PageNumber child) =>
        BinaryPrimitives.WriteUInt32LittleEndian(userHeader[RightmostChildOffset..], child.Value);

    public static long GetEntryCount(ReadOnlySpan<byte> userHeader) =>
        BinaryPrimitives.ReadInt64LittleEndian(userHeader[EntryCountOffset..]);

    public static void SetEntryCount(Span<byte> userHeader, long count) =>
        BinaryPrimitives.WriteInt64LittleEndian(userHeader[EntryCountOffset..], count);

    public static bool IsNodeType(PageType type) => type is PageType.BtreeLeaf or PageType.BtreeInterior;

    /// <summary>Throws <see cref="CorruptDatabaseException"/> unless <paramref name="page"/> is a tree page.</summary>
    public static void CheckNodeType(ReadOnlySpan<byte> page, PageNumber number, string filePath)
    {
        if (!IsNodeType(PageHeader.GetType(page)))
            ThrowHelper.ThrowCorrupt(filePath, number, "a B+tree link points at a page that is not a B+tree page");
    }

    /// <summary>
    /// Throws <see cref="CorruptDatabaseException"/> unless <paramref name="page"/> is a tree page whose user header
    /// keeps invariants 2 and 3 as far as one page shows them: reserved bytes zero, no rightmost child in a leaf, no
    /// entry count below the root (<paramref name="isRoot"/>). The read path runs it on every page it descends through,
    /// so a page the checker would flag is refused by the reads that reach it; a few loads and compares per page.
    /// </summary>
    public static void CheckNode(ReadOnlySpan<byte> page, PageNumber number, string filePath, bool isRoot)
    {
        CheckNodeType(page, number, filePath);
        ReadOnlySpan<byte> user = SlottedPageReader.UserHeaderOf(page);
        if (BinaryPrimitives.ReadUInt32LittleEndian(user[ReservedOffset..]) != 0)
            ThrowHelper.ThrowCorrupt(filePath, number, "reserved user-header bytes are not zero");
        if (!isRoot && GetEntryCount(user) != 0)
            ThrowHelper.ThrowCorrupt(filePath, number, "a non-root page records an entry count");
        if (PageHeader.GetType(page) == PageType.BtreeLeaf && !GetRightmostChild(user).IsNone)
            ThrowHelper.ThrowCorrupt(filePath, number, "a leaf records a rightmost child");
    }
}
