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
                KeyEncoding.AppendColumns(KeyBuffer, row, Schema.PrimaryKeyOrdinals);
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
}
