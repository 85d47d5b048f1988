using PageDb.Btree;
using PageDb.Records;

namespace PageDb;

/// <summary>The integrity check of one table's contents (the engine's <c>IntegrityChecker</c> runs it for every table).</summary>
public sealed partial class Table
{
    /// <summary>
    /// Checks every row and index entry: each record decodes (<see cref="RecordReader.Verify"/>), each key is its row's
    /// primary key (or a row id), each row has its entry in every index, and no index holds more entries than the table
    /// has rows (with the previous rule: index entries and rows match one to one, both ways). Returns the problems found;
    /// a record or definition too damaged to decode throws <see cref="CorruptDatabaseException"/>.
    /// </summary>
    internal List<string> FindProblems()
    {
        var problems = new List<string>();
        List<TableIndex> indexes = Indexes;
        long rows = 0;
        using BTreeCursor cursor = _tree.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
        {
            rows++;
            new RecordReader(cursor.Value, Layout, FilePath).Verify();
            Row row = DecodeRow(cursor.Key, cursor.Value, null);
            if (!Schema.HasRowId)
            {
                KeyBuffer.Clear(); // not EncodeRowKey: a damaged record's key may be too long, which is a finding here
                KeyEncoding.AppendColumns(KeyBuffer, row, Schema.PrimaryKeyOrdinals, Layout.KeyFormat);
                if (!KeyBuffer.Written.SequenceEqual(cursor.Key))
                    problems.Add($"table '{Name}': the key of row {row} is not its primary key");
            }
            foreach (TableIndex index in indexes)
            {
                index.EncodeKey(row, cursor.Key, IndexKeyBuffer);
                if (!index.Tree.TryGet(IndexKeyBuffer.Written, out byte[] primaryKey) || !primaryKey.AsSpan().SequenceEqual(cursor.Key))
                    problems.Add($"table '{Name}': row {row} has no entry in index '{index.Name}'");
            }
        }
        foreach (TableIndex index in indexes)
        {
            long entries = index.Tree.Count;
            if (entries != rows)
                problems.Add($"table '{Name}': index '{index.Name}' holds {entries} entries for {rows} rows");
        }
        return problems;
    }

    /// <summary>
    /// Throws <see cref="CorruptDatabaseException"/> unless <paramref name="entryKey"/>, an entry of
    /// <paramref name="index"/> naming the row <paramref name="record"/> stored under <paramref name="primaryKey"/>, is
    /// that row's entry. An index scan returns a row only when the index agrees with it, so a record or entry changed on
    /// its own is refused by the scan as the check would flag it.
    /// </summary>
    internal void CheckIndexEntry(TableIndex index, ReadOnlySpan<byte> entryKey, ReadOnlySpan<byte> primaryKey, ReadOnlySpan<byte> record)
    {
        var reader = new RecordReader(record, Layout, FilePath, primaryKey);
        ByteBuilder expected = IndexKeyBuffer;
        index.EncodeKey(ref reader, primaryKey, expected);
        if (!expected.Written.SequenceEqual(entryKey))
            ThrowHelper.ThrowCorrupt(FilePath, $"an entry of index '{index.Name}' of table '{Name}' does not match the row it names");
    }

    /// <summary>
    /// After a scan of all of <paramref name="index"/> matched each entry to its row (<see cref="CheckIndexEntry"/>),
    /// throws <see cref="CorruptDatabaseException"/> unless the table has no other rows: a row missing from the index.
    /// </summary>
    internal void CheckIndexCount(TableIndex index)
    {
        long entries = index.Tree.Count;
        long rows = _tree.Count;
        if (entries != rows)
            ThrowHelper.ThrowCorrupt(FilePath, $"index '{index.Name}' of table '{Name}' holds {entries} entries for {rows} rows");
    }
}
