namespace PageDb.Core.Pages;

/// <summary>What a page holds; stored in byte 0 of every page header. Zero is never a valid type, so a page of zeros is caught.</summary>
internal enum PageType : byte
{
    /// <summary>Page 0: magic, format version, page size, page count, free-list head, catalog root.</summary>
    FileHeader = 1,

    /// <summary>A B+tree leaf: key-value cells on a slotted page.</summary>
    BtreeLeaf = 2,

    /// <summary>A B+tree interior page: separator keys and child page numbers on a slotted page.</summary>
    BtreeInterior = 3,

    /// <summary>A link in an overflow chain holding the tail of a large payload.</summary>
    Overflow = 4,

    /// <summary>A free-list trunk page: a list of free page numbers and a link to the next trunk.</summary>
    FreeListTrunk = 5,

    /// <summary>A free page whose number is recorded on a trunk; its contents are meaningless.</summary>
    Free = 6,

    /// <summary>A slotted page used outside the B+tree (for example, by tests and tools).</summary>
    Slotted = 7,
}
