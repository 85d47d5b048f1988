using PageDb.Btree;
using PageDb.Engine;
using PageDb.Records;

namespace PageDb;

/// <summary>Creating and dropping a table's secondary indexes.</summary>
public sealed partial class Table
{
    /// <summary>
    /// Creates a secondary index called <paramref name="name"/> over <paramref name="columns"/> and fills it from the
    /// table's rows. From then on every write keeps it in step, in the same transaction.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or named twice, or an entry's key would be too long.</exception>
    /// <exception cref="PageDbException">The table already has an index of that name.</exception>
    /// <exception cref="ConstraintViolationException"><paramref name="unique"/> is set and two rows share a value; nothing changed.</exception>
    public void CreateIndex(string name, IReadOnlyList<string> columns, bool unique = false)
    {
        _transaction.EnsureWritable();
        EnsureCurrent();
        TableSchema.ValidateName(name, nameof(name));
        int[] ordinals = ResolveIndexColumns(columns);
        string catalogName = IndexPrefix(Name) + name;
        Catalog.EncodeName(catalogName);
        var catalog = new Catalog(_transaction.Pages);
        if (catalog.TryGet(catalogName, out _))
            throw new PageDbException($"Table '{Name}' already has an index named '{name}'.");
        var index = new TableIndex(name, ordinals, unique, Layout.KeyFormat, new BTree(_transaction.Pages, BTree.Create(_transaction.Pages)));
        _transaction.NoteChange();
        try
        {
            Fill(index);
        }
        catch
        {
            index.Tree.Drop();
            throw;
        }
        catalog.Add(catalogName, new CatalogEntry(CatalogEntryKind.Index, index.Tree.Root, SchemaEncoding.EncodeIndex(ordinals, unique)));
        _transaction.NoteSchemaChange();
    }

    /// <summary>Drops the index called <paramref name="name"/>; its pages return to the free list.</summary>
    /// <exception cref="PageDbException">The table has no index of that name.</exception>
    public void DropIndex(string name)
    {
        _transaction.EnsureWritable();
        EnsureCurrent();
        TableSchema.ValidateName(name, nameof(name));
        string catalogName = IndexPrefix(Name) + name;
        var catalog = new Catalog(_transaction.Pages);
        if (!catalog.TryGet(catalogName, out CatalogEntry entry) || entry.Kind != CatalogEntryKind.Index)
            throw new PageDbException($"Table '{Name}' has no index named '{name}'.");
        _transaction.NoteSchemaChange();
        new BTree(_transaction.Pages, entry.Root).Drop();
        catalog.Remove(catalogName);
    }

    /// <summary>The columns of the secondary index called <paramref name="name"/>, in the index's key order.</summary>
    /// <exception cref="ArgumentException">The table has no index of that name.</exception>
    public IReadOnlyList<string> IndexColumns(string name) =>
        Array.ConvertAll(RequireIndex(name).Ordinals, o => Schema.Columns[o].Name);

    internal TableIndex RequireIndex(string name)
    {
        foreach (TableIndex index in Indexes)
        {
            if (index.Name == name)
                return index;
        }
        throw new ArgumentException($"Table '{Name}' has no index named '{name}'.", nameof(name));
    }

    private int[] ResolveIndexColumns(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0)
            throw new ArgumentException("An index needs at least one column.", nameof(columns));
        var ordinals = new int[columns.Count];
        for (int i = 0; i < ordinals.Length; i++)
        {
            ordinals[i] = Schema.RequireOrdinal(columns[i], nameof(columns));
            if (Array.IndexOf(ordinals, ordinals[i], 0, i) >= 0)
                throw new ArgumentException($"Column '{columns[i]}' is named twice.", nameof(columns));
        }
        return ordinals;
    }

    /// <summary>Adds an entry for every row of the table to <paramref name="index"/>, checking uniqueness.</summary>
    private void Fill(TableIndex index)
    {
        ByteBuilder indexKey = IndexKeyBuffer;
        using BTreeCursor cursor = _tree.OpenCursor();
        for (bool more = cursor.SeekFirst(); more; more = cursor.Next())
        {
            Row row = DecodeRow(cursor.Key, cursor.Value, null);
            index.EncodeKey(row, cursor.Key, indexKey);
            if (indexKey.Length > BTreeLimits.MaxKeyLength)
                throw new ArgumentException($"The key of index '{index.Name}' for row {row} would be {indexKey.Length} bytes; at most {BTreeLimits.MaxKeyLength} are allowed.", nameof(index));
            if (index.ChecksUniqueness(row) && index.HasOtherEntry(indexKey.Written, indexKey.Length - cursor.Key.Length, cursor.Key, cursor.Key))
                throw new ConstraintViolationException($"Unique index '{index.Name}' cannot be built: table '{Name}' has two rows with the value of {row}.");
            index.Tree.Put(indexKey.Written, cursor.Key);
        }
    }
}
