namespace PageDb.Cli.Pages;

/// <summary>
/// The B+tree's cell and node-header layout, as docs/FORMAT.md gives it (the Btree project keeps its own readers
/// internal). The decoder reads only; a layout change there must be mirrored here, and the page tests would catch it.
/// <code>
/// leaf cell:      0-1 u16 key length k | 2 u8 flags (bit 0: overflow) | 3-6 u32 value length v | key | local value
///                 [| u32 first overflow page, when the flag is set]
/// interior cell:  0-3 u32 left child | key
/// user header:    0-3 u32 rightmost child (interior) | 4-7 reserved | 8-15 u64 entry count (root only)
/// </code>
/// </summary>
internal static class BtreeCellLayout
{
    public const int LeafKeyLengthOffset = 0;   // 0-1 u16
    public const int LeafFlagsOffset = 2;       // 2-2 u8
    public const int LeafValueLengthOffset = 3; // 3-6 u32
    public const int LeafHeaderSize = 7;
    public const byte LeafOverflowFlag = 1;
    public const int OverflowLinkSize = 4;

    public const int InteriorChildOffset = 0;   // 0-3 u32
    public const int InteriorKeyOffset = 4;

    public const int RightmostChildOffset = 0;  // user header 0-3 u32
    public const int EntryCountOffset = 8;      // user header 8-15 u64
}
