using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// Filling a new table fast: rows in ascending primary-key order (every row of a table keyed by a hidden row id) go
/// through <see cref="BTreeBulkLoader"/>, which writes each page once, full, left to right, instead of descending the
/// tree and splitting pages for every row. The loader builds a tree of its own, so the finished tree replaces the
/// table's empty root in the catalog; this happens inside the transaction that created the table, before anything
/// else can know the old root, so a root is still fixed for the life of the tree that others see.
/// </summary>
public sealed partial class Table
{
    /// <summary>
    /// Loads <paramref name="rows"/> into this table, which must be new (empty, no indexes), and returns the table
    /// object to use from now on. From the first row whose key is not greater than the one before, the rest are
    /// inserted one by one, so the result equals inserting every row with <see cref="Insert(Row)"/>.
    /// </summary>
    internal Table LoadNew(IEnumerable<Row> rows)
    {
        _transaction.EnsureWritable();
        EnsureCurrent();
        System.Diagnostics.Debug.Assert(_tree.Count == 0 && Indexes.Count == 0, "only a new table is bulk loaded");
        using IEnumerator<Row> remaining = rows.GetEnumerator();
        PageNumber root;
        bool outOfOrder;
        using (var loader = new BTreeBulkLoader(_transaction.Pages))
        {
            outOfOrder = LoadInOrder(loader, remaining);
            root = loader.Complete();
        }
        Table loaded = ReplaceRoot(root);
        if (outOfOrder)
        {
            do
                loaded.Insert(remaining.Current);
            while (remaining.MoveNext());
        }
        return loaded;
    }

    /// <summary>
    /// Adds rows to <paramref name="loader"/> while their keys ascend. True when it stopped at a row out of order,
    /// which is then <paramref name="rows"/>' current row and has not been added.
    /// </summary>
    private bool LoadInOrder(BTreeBulkLoader loader, IEnumerator<Row> rows)
    {
        byte[] previous = new byte[BTreeLimits.MaxKeyLength];
        int previousLength = 0;
        long rowId = 0;
        ByteBuilder key = KeyBuffer;
        while (rows.MoveNext())
        {
            Row row = rows.Current;
            ArgumentNullException.ThrowIfNull(row, nameof(rows));
            ValidateRow(row);
            if (Schema.HasRowId)
            {
                key.Clear();
                KeyEncoding.AppendRowId(key, ++rowId, Layout.KeyFormat);
            }
            else
            {
                EncodeRowKey(row);
                if (previousLength > 0 && key.Written.SequenceCompareTo(previous.AsSpan(0, previousLength)) <= 0)
                    return true;
            }
            ByteBuilder record = EncodeRecord(row, nameof(rows));
            _transaction.NoteChange();
            loader.Add(key.Written, record.Written);
            key.Written.CopyTo(previous);
            previousLength = key.Length;
        }
        LastInsertedRowId = rowId;
        return false;
    }

    /// <summary>Frees the table's empty root and records <paramref name="root"/> in the catalog in its place.</summary>
    private Table ReplaceRoot(PageNumber root)
    {
        var catalog = new Catalog(_transaction.Pages);
        catalog.TryGet(Name, out CatalogEntry entry);
        _tree.Drop();
        catalog.Add(Name, entry with { Root = root });
        _transaction.NoteSchemaChange();
        return new Table(_transaction, _definition, root) { LastInsertedRowId = LastInsertedRowId };
    }
}
