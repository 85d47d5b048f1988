using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// A table inside a transaction: rows keyed by their primary key (or a hidden row id) in a B+tree of encoded keys
/// and records, plus secondary indexes kept in step with every write. Writes check everything first and change
/// nothing when they throw. Valid while its transaction is active; use it from one thread at a time.
/// </summary>
public sealed partial class Table
{
    private static readonly Column RowIdKeyColumn = new(TableSchema.RowIdColumn, ColumnType.Int64);

    private readonly ReadTransaction _transaction;
    private readonly TableDefinition _definition;
    private readonly BTree _tree;

    // The key of a lookup into a caller's row buffer, one per thread rather than per table: lookups do not nest, and
    // with a transaction per lookup, a table object's own buffer would be made for its one lookup.
    [ThreadStatic]
    private static ByteBuilder? t_lookupKey;

    // Encoding buffers: lent by the transaction on first use (TableEncodingBuffers says when they are a write
    // transaction's, reused from commit to commit).
    private TableEncodingBuffers? _buffers;

    // Loaded when a write or an index needs them, and again after each schema change of the transaction.
    private List<TableIndex>? _indexes;
    private long _indexesLoadedAt = -1;

    // The transaction's change count right after this object inserted LastInsertedRowId into a table keyed by row
    // id: while it is unchanged, no other write (through another table object, a rollback of a statement) happened.
    private long _lastRowIdAt = -1;

    // The transaction's schema version when the table was last found in its catalog with this root. Whoever
    // constructs a table has just found or created it there, so a read transaction never looks again.
    private long _checkedAt;

    internal Table(ReadTransaction transaction, TableDefinition definition, PageNumber root)
    {
        _transaction = transaction;
        _definition = definition;
        _tree = transaction.OpenBTree(root);
        _checkedAt = transaction.SchemaVersion;
    }

    /// <summary>The table's name.</summary>
    public string Name => Schema.Name;

    /// <summary>The table's columns and key.</summary>
    public TableSchema Schema => _definition.Schema;

    /// <summary>The number of rows (O(1)).</summary>
    public long Count
    {
        get
        {
            EnsureCurrent();
            return _tree.Count;
        }
    }

    /// <summary>The row id given to the last row inserted through this object into a table without a primary key.</summary>
    public long LastInsertedRowId { get; private set; }

    /// <summary>The names of the table's secondary indexes, in name order.</summary>
    public IReadOnlyList<string> IndexNames
    {
        get
        {
            return Indexes.ConvertAll(i => i.Name);
        }
    }

    internal ReadTransaction Transaction => _transaction;

    internal BTree Tree => _tree;

    internal TableDefinition Definition => _definition;

    internal RecordLayout Layout => _definition.Layout;

    internal string FilePath => _tree.FilePath;

    private TableEncodingBuffers Buffers => _buffers ??= _transaction.LendTableBuffers();

    /// <summary>Where keys (primary keys, row ids) are encoded.</summary>
    private ByteBuilder KeyBuffer => Buffers.Key;

    /// <summary>Where a written row's record is encoded.</summary>
    private ByteBuilder RecordBuffer => Buffers.Record;

    /// <summary>Where this thread's lookups into a caller's row buffer encode their key.</summary>
    private static ByteBuilder LookupKey => t_lookupKey ??= new();

    /// <summary>Where an index entry's key is encoded.</summary>
    private ByteBuilder IndexKeyBuffer => Buffers.IndexKey;

    /// <summary>The ordinal scans use for the hidden row id: one past the last column.</summary>
    internal int RowIdOrdinal => Schema.Columns.Count;

    /// <summary>Inserts <paramref name="row"/>, whose values are in column order.</summary>
    /// <exception cref="ArgumentException">A value has the wrong type, a null is in a column that is not nullable,
    /// the row has the wrong number of values, or a key is too long.</exception>
    /// <exception cref="ConstraintViolationException">The primary key or a unique index value exists already.</exception>
    public void Insert(Row row) => Write(row, replace: false);

    /// <summary>Inserts <paramref name="row"/>, or replaces the row with the same primary key.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Insert(Row)"/>.</exception>
    /// <exception cref="ConstraintViolationException">A unique index value belongs to another row.</exception>
    public void Upsert(Row row) => Write(row, replace: true);

    /// <summary>
    /// Inserts the values of <paramref name="row"/>, a builder the caller fills and reuses, as <see cref="Insert(Row)"/>
    /// does: without a <see cref="Row"/> and boxed values per insert.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Insert(Row)"/>.</exception>
    /// <exception cref="ConstraintViolationException">As for <see cref="Insert(Row)"/>.</exception>
    public void Insert(RowBuilder row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Write(row.View, replace: false);
    }

    /// <summary>Inserts or replaces the values of <paramref name="row"/>, a builder the caller reuses, as <see cref="Upsert(Row)"/> does.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Insert(Row)"/>.</exception>
    /// <exception cref="ConstraintViolationException">As for <see cref="Upsert(Row)"/>.</exception>
    public void Upsert(RowBuilder row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Write(row.View, replace: true);
    }

    /// <summary>Deletes the row whose primary key (or row id) is <paramref name="key"/>; false when there is none.</summary>
    /// <exception cref="ArgumentException">The key's values do not match the primary key's columns.</exception>
    public bool Delete(Row key)
    {
        _transaction.EnsureWritable();
        EncodePrimaryKey(key, nameof(key), KeyBuffer);
        return DeleteEncoded(KeyBuffer.Written);
    }

    /// <summary>
    /// Replaces the row whose primary key (or row id) is <paramref name="key"/> with <paramref name="row"/>, whose key
    /// may differ (the row then moves; a table without a key keeps the row id). False when there is no such row.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Insert(Row)"/>, or the key's values do not match the key's columns.</exception>
    /// <exception cref="ConstraintViolationException">The new key or a unique index value belongs to another row; nothing changed.</exception>
    public bool Update(Row key, Row row)
    {
        _transaction.EnsureWritable();
        EncodePrimaryKey(key, nameof(key), KeyBuffer);
        byte[] oldKey = KeyBuffer.ToArray();
        if (!_tree.ContainsKey(oldKey))
            return false;
        Replace(oldKey, row);
        return true;
    }

    /// <summary>The row whose primary key (or row id) is <paramref name="key"/>, or null.</summary>
    /// <exception cref="ArgumentException">The key's values do not match the primary key's columns.</exception>
    public Row? Get(Row key)
    {
        EnsureCurrent();
        EncodePrimaryKey(key, nameof(key), KeyBuffer);
        Row? row = null;
        _tree.TryRead(KeyBuffer.Written, new DecodeTarget(this, ref row),
            static (record, target) => target.Row = target.Table.DecodeRow(target.Table.KeyBuffer.Written, record, null));
        return row;
    }

    /// <summary>
    /// Loads the row whose primary key (or row id) is <paramref name="key"/> into <paramref name="row"/>, a buffer the
    /// caller reuses: a warm lookup allocates nothing. False, leaving <paramref name="row"/> as it was, when there is none.
    /// </summary>
    /// <exception cref="ArgumentException">The key's values do not match the primary key's columns.</exception>
    public bool TryGet(Row key, RowBuffer row)
    {
        ArgumentNullException.ThrowIfNull(row);
        EnsureCurrent();
        ByteBuilder lookupKey = LookupKey;
        EncodePrimaryKey(key, nameof(key), lookupKey);
        return Fill(row, lookupKey.Written);
    }

    /// <summary>
    /// Loads the row whose Int64 primary key (or row id) is <paramref name="key"/> into <paramref name="row"/>, as
    /// <see cref="TryGet(Row, RowBuffer)"/> does, without a key row.
    /// </summary>
    /// <exception cref="ArgumentException">The table's primary key is not one Int64 column.</exception>
    public bool TryGet(long key, RowBuffer row)
    {
        ArgumentNullException.ThrowIfNull(row);
        EnsureCurrent();
        if (!Schema.HasRowId && (Schema.PrimaryKeyOrdinals.Length != 1 || Layout.KeyTypes[0] != ColumnType.Int64))
            throw new ArgumentException($"The primary key of table '{Name}' is not one Int64 column.", nameof(key));
        ByteBuilder lookupKey = LookupKey;
        lookupKey.Clear();
        KeyEncoding.AppendRowId(lookupKey, key, Layout.KeyFormat);
        return Fill(row, lookupKey.Written);
    }

    /// <summary>True when a row with primary key (or row id) <paramref name="key"/> exists.</summary>
    public bool TryGet(Row key, [NotNullWhen(true)] out Row? row)
    {
        row = Get(key);
        return row is not null;
    }

    /// <summary>Decodes the stored row at <paramref name="key"/> with <paramref name="record"/>: all columns, or those of <paramref name="projection"/>.</summary>
    internal Row DecodeRow(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, RecordProjection? projection)
    {
        projection ??= _definition.AllColumns;
        var values = new Value[projection.Ordinals.Length];
        projection.Decode(key, record, FilePath, values);
        return new Row(values);
    }

    /// <summary>
    /// Decodes the stored row at <paramref name="key"/> with <paramref name="record"/> into <paramref name="values"/>,
    /// one value per output of <paramref name="projection"/>, for a caller that reuses the buffer.
    /// </summary>
    internal void DecodeInto(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record, RecordProjection projection, Span<Value> values) =>
        projection.Decode(key, record, FilePath, values);

    internal Value DecodeRowId(ReadOnlySpan<byte> key)
    {
        int offset = 0;
        return KeyEncoding.Decode(key, ref offset, ColumnType.Int64, Layout.KeyFormat, FilePath);
    }

    /// <summary>
    /// Replaces the row stored under <paramref name="oldKey"/> (not in <see cref="KeyBuffer"/>, which the new key is
    /// encoded into) with <paramref name="row"/>, whose key may differ.
    /// </summary>
    /// <exception cref="ConstraintViolationException">The new key or a unique value belongs to another row; nothing changed.</exception>
    internal void Replace(ReadOnlySpan<byte> oldKey, Row row)
    {
        _transaction.EnsureWritable();
        EnsureCurrent();
        ValidateRow(row);
        ReadOnlySpan<byte> newKey = oldKey;
        if (!Schema.HasRowId)
        {
            Debug.Assert(!oldKey.Overlaps(KeyBuffer.Written), "the old key is overwritten by the new one");
            EncodeRowKey(row);
            newKey = KeyBuffer.Written;
        }
        if (newKey.SequenceEqual(oldKey))
        {
            WriteAt(row, oldKey, replace: true);
            return;
        }
        if (_tree.ContainsKey(newKey))
            ThrowDuplicateKey(row);
        IndexEntryList? added = Indexes.Count == 0 ? null : EncodeIndexEntries(row, newKey, oldKey);
        DeleteEncoded(oldKey);
        Store(row, newKey, replace: true, removed: null, added);
    }

    /// <summary>
    /// Deletes the row stored under the encoded key, with its index entries: the record is read only for those, and
    /// only the indexed columns of it (a table without an index deletes without reading it).
    /// A table without an index notes a change (open cursors seek again) even when the key is absent: it does not look first.
    /// </summary>
    internal bool DeleteEncoded(ReadOnlySpan<byte> key)
    {
        _transaction.EnsureWritable();
        EnsureCurrent();
        if (Indexes.Count == 0)
        {
            _transaction.NoteChange(); // before the delete, which may change the tree before it throws
            return _tree.Delete(key);
        }
        IndexEntryList removed = Buffers.RemovedEntries;
        if (!ReadIndexEntries(key, removed))
            return false;
        _transaction.NoteChange();
        DeleteIndexEntries(removed);
        _tree.Delete(key);
        return true;
    }

    /// <summary>The indexes as of the transaction's last schema change; throws when the table was dropped.</summary>
    internal List<TableIndex> Indexes
    {
        get
        {
            EnsureCurrent();
            if (_indexes is null || _indexesLoadedAt != _transaction.SchemaVersion)
            {
                _indexes = _transaction.Pages is TransactionPages { CatalogWritten: false } writer
                    ? CommittedIndexes(writer.CatalogCache)
                    : LoadIndexes(new Catalog(_transaction.Pages));
                _indexesLoadedAt = _transaction.SchemaVersion;
            }
            return _indexes;
        }
    }

    /// <summary>
    /// The indexes, in a write transaction whose catalog is the committed one: from <see cref="WriterCatalogCache"/>,
    /// which learns them from the catalog on a miss.
    /// </summary>
    private List<TableIndex> CommittedIndexes(WriterCatalogCache cache)
    {
        WriterCatalogCache.IndexEntry[]? cached = cache.TryGetIndexes(Name, _tree.Root);
        if (cached is null)
        {
            List<TableIndex> loaded = LoadIndexes(new Catalog(_transaction.Pages));
            cache.AddIndexes(Name, _tree.Root, _definition,
                loaded.ConvertAll(i => new WriterCatalogCache.IndexEntry(i.Name, i.Ordinals, i.Unique, i.Tree.Root)).ToArray());
            return loaded;
        }
        var indexes = new List<TableIndex>(cached.Length);
        foreach (WriterCatalogCache.IndexEntry index in cached)
            indexes.Add(new TableIndex(index.Name, index.Ordinals, index.Unique, Layout.KeyFormat, new BTree(_transaction.Pages, index.Root)));
        return indexes;
    }

    /// <summary>Throws when the transaction has ended or the table was dropped in it.</summary>
    internal void EnsureCurrent()
    {
        _transaction.EnsureActive();
        if (_checkedAt == _transaction.SchemaVersion)
            return;
        if (_transaction.WasTableDroppedSince(Name, _checkedAt)
            || !new Catalog(_transaction.Pages).TryGet(Name, out CatalogEntry entry) || entry.Kind != CatalogEntryKind.Table || entry.Root != _tree.Root)
            throw new InvalidOperationException($"Table '{Name}' was dropped in this transaction.");
        _checkedAt = _transaction.SchemaVersion;
    }

    private List<TableIndex> LoadIndexes(Catalog catalog)
    {
        // Most tables have no index: the catalog names "table\0..." follow the table's own, and one probe finds none.
        Span<byte> prefix = stackalloc byte[Catalog.MaxNameBytes + 1];
        int length = Catalog.EncodeName(Name, prefix);
        prefix[length] = 0;
        if (!catalog.HasEntriesUnder(prefix[..(length + 1)]))
            return [];
        var indexes = new List<TableIndex>();
        foreach ((string name, CatalogEntry entry) in catalog.EntriesUnder(IndexPrefix(Name)))
        {
            if (entry.Kind != CatalogEntryKind.Index)
                continue;
            (int[] ordinals, bool unique) = SchemaEncoding.DecodeIndex(entry.Definition, Schema.Columns.Count, FilePath);
            indexes.Add(new TableIndex(name[(Name.Length + 1)..], ordinals, unique, Layout.KeyFormat, new BTree(_transaction.Pages, entry.Root)));
        }
        return indexes;
    }

    /// <summary>The catalog name prefix of the table's indexes: "table\0".</summary>
    internal static string IndexPrefix(string table) => table + "\0";

    private void Write(Row row, bool replace)
    {
        _transaction.EnsureWritable();
        EnsureCurrent();
        ArgumentNullException.ThrowIfNull(row);
        ValidateRow(row);
        long rowId = 0;
        if (Schema.HasRowId)
        {
            rowId = NextRowId();
            KeyBuffer.Clear();
            KeyEncoding.AppendRowId(KeyBuffer, rowId, Layout.KeyFormat);
            replace = false;
        }
        else
        {
            EncodeRowKey(row);
        }
        WriteAt(row, KeyBuffer.Written, replace);
        if (Schema.HasRowId)
            NoteRowIdUsed(rowId);
    }

    /// <summary>
    /// Stores <paramref name="row"/> under <paramref name="key"/> (replacing the row there when <paramref name="replace"/>
    /// is set), with its index entries; those of the replaced row go. Without an index the replaced row is not read.
    /// </summary>
    private void WriteAt(Row row, ReadOnlySpan<byte> key, bool replace)
    {
        if (Indexes.Count == 0)
        {
            Store(row, key, replace, removed: null, added: null);
            return;
        }
        IndexEntryList? removed = replace && ReadIndexEntries(key, Buffers.RemovedEntries) ? Buffers.RemovedEntries : null;
        IndexEntryList added = EncodeIndexEntries(row, key, key);
        Store(row, key, replace, removed, added);
    }

    /// <summary>
    /// Encodes the index entries of <paramref name="row"/> (to be stored under <paramref name="key"/>) into the
    /// table's added-entries buffer and checks their lengths and unique values; entries of the row being replaced
    /// (<paramref name="replacedKey"/>) do not conflict.
    /// </summary>
    private IndexEntryList EncodeIndexEntries(Row row, ReadOnlySpan<byte> key, ReadOnlySpan<byte> replacedKey)
    {
        List<TableIndex> indexes = Indexes;
        ByteBuilder indexKey = IndexKeyBuffer;
        IndexEntryList entries = Buffers.AddedEntries;
        entries.Clear();
        for (int i = 0; i < indexes.Count; i++)
        {
            TableIndex index = indexes[i];
            index.EncodeKey(row, key, indexKey);
            if (indexKey.Length > BTreeLimits.MaxKeyLength)
                throw new ArgumentException($"The key of index '{index.Name}' would be {indexKey.Length} bytes; at most {BTreeLimits.MaxKeyLength} are allowed.", nameof(row));
            if (index.ChecksUniqueness(row) && index.HasOtherEntry(indexKey.Written, indexKey.Length - key.Length, key, replacedKey))
                throw new ConstraintViolationException($"Unique index '{index.Name}' of table '{Name}' already has the value of row {row}.");
            entries.Add(indexKey.Written);
        }
        return entries;
    }

    /// <summary>
    /// Encodes into <paramref name="entries"/> the index entries of the row stored under <paramref name="key"/>, one
    /// per index, from the indexed columns of its record (no other column is decoded); false when there is no such row.
    /// </summary>
    private bool ReadIndexEntries(ReadOnlySpan<byte> key, IndexEntryList entries)
    {
        entries.Clear();
        return _tree.TryRead(key, new StoredEntriesTarget(this, Indexes, key, entries),
            static (record, target) =>
            {
                var reader = new RecordReader(record, target.Table.Layout, target.Table.FilePath, target.Key);
                ByteBuilder indexKey = target.Table.IndexKeyBuffer;
                foreach (TableIndex index in target.Indexes)
                {
                    index.EncodeKey(ref reader, target.Key, indexKey);
                    target.Entries.Add(indexKey.Written);
                }
            });
    }

    /// <summary>
    /// Stores <paramref name="row"/>'s record under <paramref name="key"/>, replacing the row there, or, without
    /// <paramref name="replace"/>, only when the key is new, found in the same descent (a present key throws and
    /// changes nothing); then removes the index entries <paramref name="removed"/> and adds <paramref name="added"/>
    /// (one per index, in the table's index order; null for none).
    /// </summary>
    private void Store(Row row, ReadOnlySpan<byte> key, bool replace, IndexEntryList? removed, IndexEntryList? added)
    {
        ByteBuilder record = EncodeRecord(row, nameof(row));
        if (!replace && !_tree.TryInsert(key, record.Written))
            ThrowDuplicateKey(row);
        _transaction.NoteChange();
        if (removed is not null)
            DeleteIndexEntries(removed);
        if (replace)
            _tree.Put(key, record.Written);
        if (added is null)
            return;
        List<TableIndex> indexes = Indexes;
        for (int i = 0; i < added.Count; i++)
            indexes[i].Tree.Put(added[i], key);
    }

    /// <summary>Encodes <paramref name="row"/>'s record into <see cref="RecordBuffer"/>, refusing one too large to store.</summary>
    private ByteBuilder EncodeRecord(Row row, string paramName)
    {
        ByteBuilder record = RecordBuffer;
        if (Layout.IsCompact)
            CompactRecordEncoding.Encode(row, Layout, record);
        else
            RecordEncoding.Encode(row, Layout, record);
        if (record.Length > BTreeLimits.MaxValueLength)
            throw new ArgumentException($"The row is {record.Length} bytes encoded; at most {BTreeLimits.MaxValueLength} are allowed.", paramName);
        return record;
    }

    /// <summary>Removes <paramref name="entries"/>, one per index in the table's index order.</summary>
    private void DeleteIndexEntries(IndexEntryList entries)
    {
        List<TableIndex> indexes = Indexes;
        for (int i = 0; i < entries.Count; i++)
            indexes[i].Tree.Delete(entries[i]);
    }

    /// <summary>The row id for the next insert: one past the largest key, remembered while nothing else changed the transaction.</summary>
    private long NextRowId()
    {
        if (_lastRowIdAt == _transaction.ChangeCount)
            return CheckedNext(LastInsertedRowId);
        using BTreeCursor cursor = _tree.OpenCursor();
        return cursor.SeekLast() ? CheckedNext(DecodeRowId(cursor.Key).AsInt64) : 1;
    }

    private long CheckedNext(long last)
    {
        if (last == long.MaxValue)
            throw new PageDbException($"Table '{Name}' has used every row id.");
        return last + 1;
    }

    /// <summary>Records that <paramref name="rowId"/>, now the largest key, was inserted, as of the transaction's latest change.</summary>
    private void NoteRowIdUsed(long rowId)
    {
        LastInsertedRowId = rowId;
        _lastRowIdAt = _transaction.ChangeCount;
    }

    /// <summary>Loads the row under the encoded <paramref name="key"/> into <paramref name="row"/>.</summary>
    private bool Fill(RowBuffer row, ReadOnlySpan<byte> key) =>
        _tree.TryRead(key, new FillTarget(this, row, key),
            static (record, target) => target.Row.Load(target.Key, record, target.Table.Layout, target.Table.FilePath));

    private void EncodeRowKey(Row row)
    {
        KeyBuffer.Clear();
        KeyEncoding.AppendColumns(KeyBuffer, row, Schema.PrimaryKeyOrdinals, Layout.KeyFormat);
        if (KeyBuffer.Length > BTreeLimits.MaxKeyLength)
            throw new ArgumentException($"The primary key would be {KeyBuffer.Length} bytes encoded; at most {BTreeLimits.MaxKeyLength} are allowed.", nameof(row));
    }

    /// <summary>Encodes a caller's key row (the primary key's values, or the row id) into <paramref name="into"/>.</summary>
    private void EncodePrimaryKey(Row key, string paramName, ByteBuilder into)
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        int expected = Schema.HasRowId ? 1 : Schema.PrimaryKeyOrdinals.Length;
        if (key.Count != expected)
            throw new ArgumentException($"A key of table '{Name}' has {expected} value(s); {key.Count} given.", paramName);
        into.Clear();
        for (int i = 0; i < expected; i++)
        {
            Column column = Schema.HasRowId ? RowIdKeyColumn : Schema.Columns[Schema.PrimaryKeyOrdinals[i]];
            ValidateValue(column, key.GetValue(i), paramName);
            KeyEncoding.Append(into, key.GetValue(i), Layout.KeyFormat);
        }
    }

    private void ValidateRow(Row row)
    {
        if (row.Count != Schema.Columns.Count)
            throw new ArgumentException($"Table '{Name}' has {Schema.Columns.Count} columns; the row has {row.Count} values.", nameof(row));
        for (int i = 0; i < row.Count; i++)
            ValidateValue(Schema.Columns[i], row.GetValue(i), nameof(row));
    }

    private static void ValidateValue(Column column, in Value value, string paramName)
    {
        if (value.IsNull ? !column.Nullable : value.Type != column.Type)
            ThrowWrongValue(column, value, paramName);
    }

    [DoesNotReturn]
    private static void ThrowWrongValue(Column column, Value value, string paramName) =>
        throw new ArgumentException(value.IsNull
            ? $"Column '{column.Name}' is not nullable."
            : $"Column '{column.Name}' holds {column.Type}; a {value.Type} was given.", paramName);

    [DoesNotReturn]
    private void ThrowDuplicateKey(Row row) =>
        throw new ConstraintViolationException($"Table '{Name}' already has a row with the primary key of {row}.");

    /// <summary>What <see cref="Fill(RowBuffer, ReadOnlySpan{byte})"/>'s callback loads: the row buffer, with the key it was looked up by.</summary>
    private readonly ref struct FillTarget(Table table, RowBuffer row, ReadOnlySpan<byte> key)
    {
        public readonly Table Table = table;
        public readonly RowBuffer Row = row;
        public readonly ReadOnlySpan<byte> Key = key;
    }

    /// <summary>What <see cref="ReadIndexEntries"/>'s callback encodes: a stored row's entries in each index, into a list.</summary>
    private readonly ref struct StoredEntriesTarget(Table table, List<TableIndex> indexes, ReadOnlySpan<byte> key, IndexEntryList entries)
    {
        public readonly Table Table = table;
        public readonly List<TableIndex> Indexes = indexes;
        public readonly ReadOnlySpan<byte> Key = key;
        public readonly IndexEntryList Entries = entries;
    }

    /// <summary>Where <see cref="Get"/>'s decoding callback leaves the row it decoded in place, without copying the record.</summary>
    private readonly ref struct DecodeTarget
    {
        public readonly Table Table;
        public readonly ref Row? Row;

        public DecodeTarget(Table table, ref Row? row)
        {
            Table = table;
            Row = ref row;
        }
    }
}
