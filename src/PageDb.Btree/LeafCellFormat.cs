namespace PageDb.Btree;

/// <summary>
/// Which layout a file's leaf cells have (<see cref="LeafCell"/>), fixed by the file's format version when the file
/// is created, so every leaf of every tree in one file has one layout and files written by earlier builds stay readable.
/// </summary>
internal enum LeafCellFormat : byte
{
    /// <summary>File format version 1: a 7-byte header (u16 key length, flags, u32 value length).</summary>
    Classic,

    /// <summary>File format version 2 and later: a 1-2 byte varint of the key length and overflow bit; an inline value's length is the cell's rest.</summary>
    Compact,
}
