namespace PageDb.Core.Pages;

/// <summary>
/// Offsets shared by <see cref="SlottedPageReader"/> and <see cref="SlottedPage"/>. The full layout and invariants are
/// on <see cref="SlottedPage"/>.
/// </summary>
internal static class SlottedPageLayout
{
    public const int CellCountOffset = 16;        // 16-17 u16
    public const int ContentStartOffset = 18;     // 18-19 u16 (0 encodes 65536: an empty 64 KiB page)
    public const int FirstFreeblockOffset = 20;   // 20-21 u16 (0 = none)
    public const int FragmentedBytesOffset = 22;  // 22-23 u16
    public const int UserHeaderOffset = 24;       // 24-39, 16 bytes owned by the page's user
    public const int UserHeaderSize = 16;
    public const int PointerArrayOffset = 40;     // 40-  4 bytes per cell
    public const int PointerSize = 4;             // u16 offset, u16 length
    public const int FreeblockHeaderSize = 4;     // u16 next freeblock, u16 size: the smallest freeblock
}
