using System.Buffers.Binary;
using PageDb.Core.Pages;

namespace PageDb.Btree;

/// <summary>
/// An interior cell: a separator key and the child holding the keys below it.
/// <code>
/// offset  size  field
/// 0-3     u32   left child page: holds every key k with previous separator &lt;= k &lt; this separator
/// 4..           separator key, 1..1024 bytes (its length is the cell length - 4)
/// </code>
/// Invariants:
/// 1. The child link is nonzero and the separator is 1..1024 bytes.
/// 2. Separators increase strictly across an interior page's cells.
/// </summary>
internal readonly ref struct InteriorCell
{
    public const int ChildOffset = 0; // 0-3 u32
    public const int KeyOffset = 4;

    private InteriorCell(PageNumber child, ReadOnlySpan<byte> key)
    {
        Child = child;
        Key = key;
    }

    /// <summary>The left child.</summary>
    public PageNumber Child { get; }

    /// <summary>The separator.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The largest interior cell.</summary>
    public const int MaxLength = KeyOffset + BTreeLimits.MaxKeyLength;

    /// <summary>The cell length for a separator of <paramref name="keyLength"/> bytes.</summary>
    public static int Length(int keyLength) => KeyOffset + keyLength;

    /// <summary>Writes the cell into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, PageNumber child, ReadOnlySpan<byte> key)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination[ChildOffset..], child.Value);
        key.CopyTo(destination[KeyOffset..]);
        return KeyOffset + key.Length;
    }

    /// <summary>Replaces the child link of a cell in place (the page's bytes, same length).</summary>
    public static void SetChild(Span<byte> cell, PageNumber child) =>
        BinaryPrimitives.WriteUInt32LittleEndian(cell[ChildOffset..], child.Value);

    /// <summary>
    /// The separator of <paramref name="cell"/> alone, its length checked (a search's probe; the child link is checked
    /// by <see cref="Read"/> when the descent follows it).
    /// </summary>
    public static ReadOnlySpan<byte> ReadKey(ReadOnlySpan<byte> cell, PageNumber page, string filePath)
    {
        if (cell.Length <= KeyOffset || cell.Length > MaxLength)
            ThrowHelper.ThrowCorrupt(filePath, page, "interior cell length out of range");
        return cell[KeyOffset..];
    }

    /// <summary>Parses <paramref name="cell"/> of page <paramref name="page"/>.</summary>
    public static InteriorCell Read(ReadOnlySpan<byte> cell, PageNumber page, string filePath)
    {
        ReadOnlySpan<byte> key = ReadKey(cell, page, filePath);
        var child = new PageNumber(BinaryPrimitives.ReadUInt32LittleEndian(cell));
        if (child.IsNone)
            ThrowHelper.ThrowCorrupt(filePath, page, "interior cell has no child page");
        return new InteriorCell(child, key);
    }
}
