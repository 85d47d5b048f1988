using System.Buffers.Binary;
using PageDb.Core.Pages;

namespace PageDb.Engine;

/// <summary>What a catalog name refers to.</summary>
internal enum CatalogEntryKind : byte
{
    /// <summary>A key-value tree opened with <see cref="ReadTransaction.GetTree"/>.</summary>
    Tree = 1,

    /// <summary>A table: the tree maps encoded primary keys to records; the definition is its schema.</summary>
    Table = 2,

    /// <summary>A secondary index of a table, named "table\0index"; the definition names its table and columns.</summary>
    Index = 3,
}

/// <summary>
/// One catalog record: the value stored under a name in the catalog tree.
/// <code>
/// offset size field
///  0     1    kind (<see cref="CatalogEntryKind"/>)
///  1     4    root page number (u32): fixed for the object's life
///  5     n    kind-specific definition: empty for trees; a table's schema or an index's definition
///             (byte layouts in <see cref="Records.SchemaEncoding"/>)
/// </code>
/// </summary>
internal readonly record struct CatalogEntry(CatalogEntryKind Kind, PageNumber Root, byte[] Definition)
{
    /// <summary>An entry without a definition (a key-value tree).</summary>
    public CatalogEntry(CatalogEntryKind kind, PageNumber root) : this(kind, root, []) { }

    private const int KindOffset = 0;   // 0-0 u8
    private const int RootOffset = 1;   // 1-4 u32
    public const int EncodedSize = 5;   // 5-... definition

    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize + Definition.Length];
        bytes[KindOffset] = (byte)Kind;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(RootOffset), Root.Value);
        Definition.CopyTo(bytes.AsSpan(EncodedSize));
        return bytes;
    }

    /// <summary>Decodes a stored record; a malformed one is reported as corruption of the catalog.</summary>
    public static CatalogEntry Decode(ReadOnlySpan<byte> bytes, string filePath, PageNumber catalogRoot)
    {
        (CatalogEntryKind kind, PageNumber root) = DecodeHeader(bytes, filePath, catalogRoot);
        return new CatalogEntry(kind, root, DefinitionOf(bytes).ToArray());
    }

    /// <summary>
    /// Decodes a stored record's kind and root without copying its definition (read it with
    /// <see cref="DefinitionOf"/>); a malformed record is reported as corruption of the catalog.
    /// </summary>
    public static (CatalogEntryKind Kind, PageNumber Root) DecodeHeader(ReadOnlySpan<byte> bytes, string filePath, PageNumber catalogRoot)
    {
        if (bytes.Length < EncodedSize || !Enum.IsDefined((CatalogEntryKind)bytes[KindOffset]))
            ThrowHelper.ThrowCorrupt(filePath, catalogRoot, "malformed catalog record");
        var root = new PageNumber(BinaryPrimitives.ReadUInt32LittleEndian(bytes[RootOffset..]));
        if (root.IsNone)
            ThrowHelper.ThrowCorrupt(filePath, catalogRoot, "catalog record points at page 0");
        return ((CatalogEntryKind)bytes[KindOffset], root);
    }

    /// <summary>The definition inside a stored record already checked by <see cref="DecodeHeader"/>.</summary>
    public static ReadOnlySpan<byte> DefinitionOf(ReadOnlySpan<byte> bytes) => bytes[EncodedSize..];
}
