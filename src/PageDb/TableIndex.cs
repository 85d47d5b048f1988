using PageDb.Btree;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// A secondary index of a table, as the table maintains it: a B+tree whose keys are the encoded index columns
/// followed by the encoded primary key (so equal index values stay distinct), and whose values are the encoded
/// primary key. A unique index allows one entry per index value, unless a column of the value is null.
/// </summary>
internal sealed class TableIndex(string name, int[] ordinals, bool unique, KeyFormat keyFormat, BTree tree)
{
    public string Name { get; } = name;

    public int[] Ordinals { get; } = ordinals;

    public bool Unique { get; } = unique;

    public BTree Tree { get; } = tree;

    /// <summary>Writes the index key of <paramref name="row"/> (primary key <paramref name="primaryKey"/>) into <paramref name="key"/>.</summary>
    public void EncodeKey(Row row, ReadOnlySpan<byte> primaryKey, ByteBuilder key)
    {
        key.Clear();
        KeyEncoding.AppendColumns(key, row, Ordinals, keyFormat);
        primaryKey.CopyTo(key.Reserve(primaryKey.Length));
        key.Advance(primaryKey.Length);
    }

    /// <summary>
    /// True when another row (primary key neither <paramref name="primaryKey"/> nor <paramref name="replacedKey"/>)
    /// has the same index value as <paramref name="indexKey"/>, whose first <paramref name="prefixLength"/> bytes are the value.
    /// </summary>
    public bool HasOtherEntry(ReadOnlySpan<byte> indexKey, int prefixLength, ReadOnlySpan<byte> primaryKey, ReadOnlySpan<byte> replacedKey)
    {
        ReadOnlySpan<byte> prefix = indexKey[..prefixLength];
        using BTreeCursor cursor = Tree.OpenCursor();
        for (bool more = cursor.Seek(prefix); more && cursor.Key.StartsWith(prefix); more = cursor.Next())
        {
            if (!cursor.Value.SequenceEqual(primaryKey) && !cursor.Value.SequenceEqual(replacedKey))
                return true;
        }
        return false;
    }

    /// <summary>True when the index value of <paramref name="row"/> must be checked for uniqueness (unique, no nulls).</summary>
    public bool ChecksUniqueness(Row row)
    {
        if (!Unique)
            return false;
        foreach (int ordinal in Ordinals)
        {
            if (row.IsNull(ordinal))
                return false;
        }
        return true;
    }
}
