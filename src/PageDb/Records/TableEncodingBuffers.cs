namespace PageDb.Records;

/// <summary>
/// The buffers a <see cref="Table"/> encodes keys, records and index entries into (a written row's entries, and those
/// of the row it replaces or deletes, in <see cref="IndexEntryList"/>s), each made on first use (a table
/// opened to read rows never needs the writers' ones). A write transaction lends one set, kept by its pooled
/// <see cref="Engine.WriteCycle"/> from transaction to transaction, to the first table that asks in it
/// (<see cref="ReadTransaction.LendTableBuffers"/>), so a warm one-row commit encodes its row into buffers that earlier
/// commits have grown to size instead of making and growing new ones (W7's rows: 840 of the 1,208 bytes a commit
/// allocated). Any other table makes its own set.
/// </summary>
/// <remarks>
/// A table keeps the set after its transaction ended, while the next transaction of the same cycle lends it again:
/// safe because a table checks that its transaction is active before every use of a buffer, so the set has one user
/// at a time. Not thread-safe, as a table is not.
/// </remarks>
internal sealed class TableEncodingBuffers
{
    private ByteBuilder? _key;
    private ByteBuilder? _record;
    private ByteBuilder? _indexKey;
    private IndexEntryList? _addedEntries;
    private IndexEntryList? _removedEntries;

    /// <summary>Where keys (primary keys, row ids) are encoded.</summary>
    public ByteBuilder Key => _key ??= new();

    /// <summary>Where a written row's record is encoded.</summary>
    public ByteBuilder Record => _record ??= new();

    /// <summary>Where an index entry's key is encoded.</summary>
    public ByteBuilder IndexKey => _indexKey ??= new();

    /// <summary>The index entries a write adds: the written row's.</summary>
    public IndexEntryList AddedEntries => _addedEntries ??= new();

    /// <summary>The index entries a write removes: those of the row it replaces or deletes.</summary>
    public IndexEntryList RemovedEntries => _removedEntries ??= new();
}
