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
        Append(key, primaryKey);
    }

    /// <summary>
    /// Writes the index key of the stored row <paramref name="record"/> reads (primary key <paramref name="primaryKey"/>)
    /// into <paramref name="key"/> from the index's columns alone, each read checked, a stored string or byte array
    /// copied as it is (<see cref="RecordReader.AppendKeyEncoding"/>).
    /// </summary>
    public void EncodeKey(ref RecordReader record, ReadOnlySpan<byte> primaryKey, ByteBuilder key)
    {
        key.Clear();
        foreach (int ordinal in Ordinals)
            record.AppendKeyEncoding(ordinal, key, keyFormat);
        Append(key, primaryKey);
    }

    /// <summary>
    /// True when another row (primary key neither <paramref name="primaryKey"/> nor <paramref name="replacedKey"/>)
    /// has the same index value as <paramref name="indexKey"/>, whose first <paramref name="prefixLength"/> bytes are the
    /// value. The entries of the value are the keys that start with it, each ending in its row's primary key: the probe
    /// seeks from one to the next, at most three seeks in a unique index, and allocates nothing.
    /// </summary>
    public bool HasOtherEntry(ReadOnlySpan<byte> indexKey, int prefixLength, ReadOnlySpan<byte> primaryKey, ReadOnlySpan<byte> replacedKey)
    {
        ReadOnlySpan<byte> prefix = indexKey[..prefixLength];
        Span<byte> entry = stackalloc byte[BTreeLimits.MaxKeyLength];
        Span<byte> past = stackalloc byte[BTreeLimits.MaxKeyLength + 1];
        int length = Tree.CopyFirstKeyAtOrAfter(prefix, entry);
        while (length >= 0 && entry[..length].StartsWith(prefix))
        {
            ReadOnlySpan<byte> rowKey = entry[prefixLength..length];
            if (!rowKey.SequenceEqual(primaryKey) && !rowKey.SequenceEqual(replacedKey))
                return true;
            entry[..length].CopyTo(past); // the entry with 0x00 appended: the first key after it is at or after that
            past[length] = 0;
            length = Tree.CopyFirstKeyAtOrAfter(past[..(length + 1)], entry);
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

    private static void Append(ByteBuilder key, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(key.Reserve(bytes.Length));
        key.Advance(bytes.Length);
    }
}
