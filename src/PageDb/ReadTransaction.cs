using System.Diagnostics.CodeAnalysis;
using PageDb.Btree;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine;
using PageDb.Records;
using PageDb.Wal;

namespace PageDb;

/// <summary>
/// A read-only view of the database as of the moment it began (a snapshot): later commits are invisible to it, and
/// it never blocks or is blocked by the writer. Any number may be open at once, on any threads. Dispose it promptly:
/// while it is open, checkpoints cannot copy past its snapshot.
/// </summary>
public class ReadTransaction : IDisposable, IAsyncDisposable
{
    private readonly WalMark _registeredMark;

    // Cursors opened in this transaction and not yet disposed: they pin pages, so the transaction disposes them when it
    // ends. Made on the first cursor: a point lookup's transaction opens none.
    private List<Cursor>? _openCursors;

    // A read transaction's own end; a write transaction's is its WriteCycle's state (HasEnded is overridden).
    private bool _ended;

    // The schema version of each table name's last drop in this transaction. A table opened before a drop is stale
    // even when a table created again under its name got the same root page back from the free list.
    private Dictionary<string, long>? _tablesDroppedAt;

    internal ReadTransaction(StorageEngine engine, IPageAccessor pages, WalMark registeredMark, TableDefinitionCache tableDefinitions)
    {
        Engine = engine;
        Pages = pages;
        _registeredMark = registeredMark;
        TableDefinitions = tableDefinitions;
    }

    /// <summary>Names of the key-value trees in the database, in byte order of their UTF-8 encoding.</summary>
    public IReadOnlyList<string> TreeNames
    {
        get
        {
            EnsureActive();
            return new Catalog(Pages).Names(CatalogEntryKind.Tree);
        }
    }

    /// <summary>Names of the tables in the database, in byte order of their UTF-8 encoding.</summary>
    public IReadOnlyList<string> TableNames
    {
        get
        {
            EnsureActive();
            return new Catalog(Pages).Names(CatalogEntryKind.Table);
        }
    }

    internal StorageEngine Engine { get; }

    /// <summary>
    /// The transaction's pages. A read transaction's are its snapshot's, taken from the engine's pool at begin and
    /// given back at its end, to serve a later transaction: nothing may read them for this one once it has ended.
    /// </summary>
    internal IPageAccessor Pages { get; }

    /// <summary>The B+tree rooted at <paramref name="root"/> in this transaction's pages (the one its page set opened before, when it did: <see cref="OpenedTrees"/>).</summary>
    internal BTree OpenBTree(PageNumber root) =>
        Pages switch
        {
            SnapshotPages snapshot => snapshot.OpenTree(root),
            TransactionPages transaction => transaction.OpenTree(root),
            _ => new BTree(Pages, root),
        };

    /// <summary>The database's decoded table schemas, shared with its other transactions.</summary>
    internal TableDefinitionCache TableDefinitions { get; }

    /// <summary>Opens the key-value tree called <paramref name="name"/>.</summary>
    /// <exception cref="PageDbException">There is no tree of that name.</exception>
    public Tree GetTree(string name)
    {
        if (!TryGetTree(name, out Tree? tree))
            throw new PageDbException($"There is no tree named '{name}'.");
        return tree;
    }

    /// <summary>Opens the key-value tree called <paramref name="name"/> if there is one.</summary>
    public bool TryGetTree(string name, [MaybeNullWhen(false)] out Tree tree)
    {
        EnsureActive();
        if (TryFind(name, CatalogEntryKind.Tree, out PageNumber root, out _))
        {
            tree = new Tree(this, name, root);
            return true;
        }
        tree = null;
        return false;
    }

    /// <summary>Opens the table called <paramref name="name"/>.</summary>
    /// <exception cref="PageDbException">There is no table of that name.</exception>
    public Table GetTable(string name)
    {
        if (!TryGetTable(name, out Table? table))
            throw new PageDbException($"There is no table named '{name}'.");
        return table;
    }

    /// <summary>Opens the table called <paramref name="name"/> if there is one.</summary>
    public bool TryGetTable(string name, [MaybeNullWhen(false)] out Table table)
    {
        EnsureActive();
        TableSchema.ValidateName(name, nameof(name));
        if (TryFind(name, CatalogEntryKind.Table, out PageNumber root, out TableDefinition? definition))
        {
            table = new Table(this, definition!, root);
            return true;
        }
        table = null;
        return false;
    }

    /// <summary>
    /// Looks <paramref name="name"/> up in this transaction's catalog: true when it names an object of
    /// <paramref name="kind"/>, whose root is returned with, for a table, its definition (from the database's cache,
    /// compared with the stored bytes in place: the lookup copies nothing). A read transaction first asks the engine's
    /// <see cref="CatalogLookupCache"/> for what an earlier lookup found at the same snapshot; a write transaction that
    /// has not changed the catalog asks <see cref="WriterCatalogCache"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    private bool TryFind(string name, CatalogEntryKind kind, out PageNumber root, out TableDefinition? definition)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Pages is TransactionPages { CatalogWritten: false } writer)
            return TryFindCommitted(writer.CatalogCache, name, kind, out root, out definition);
        if (Pages is not SnapshotPages snapshot)
            return TryFindInCatalog(name, kind, out root, out definition);
        if (Engine.CatalogLookups.TryGet(snapshot.Mark, name, kind, out root, out definition))
            return true;
        if (!TryFindInCatalog(name, kind, out root, out definition))
            return false;
        Engine.CatalogLookups.Add(snapshot.Mark, name, kind, root, definition);
        return true;
    }

    /// <summary>As <see cref="TryFind"/>, in a write transaction whose catalog is the committed one (<see cref="WriterCatalogCache"/>).</summary>
    private bool TryFindCommitted(WriterCatalogCache cache, string name, CatalogEntryKind kind, out PageNumber root, out TableDefinition? definition)
    {
        if (cache.TryGet(name, kind, out root, out definition))
            return true;
        if (!TryFindInCatalog(name, kind, out root, out definition))
            return false;
        cache.Add(name, kind, root, definition);
        return true;
    }

    /// <summary>As <see cref="TryFind"/>, reading the catalog of this transaction's pages.</summary>
    private bool TryFindInCatalog(string name, CatalogEntryKind kind, out PageNumber root, out TableDefinition? definition)
    {
        Span<byte> encodedName = stackalloc byte[Catalog.MaxNameBytes];
        int length = Catalog.EncodeName(name, encodedName);
        var catalog = new Catalog(Pages);
        bool matches = false;
        root = default;
        definition = null;
        catalog.TryReadRecord(encodedName[..length], new CatalogLookup(this, name, kind, catalog.Root, ref matches, ref root, ref definition),
            static (record, lookup) => lookup.Read(record));
        return matches;
    }

    /// <summary>Where <see cref="TryFind"/>'s callback reads a catalog record in place and leaves what it found.</summary>
    private readonly ref struct CatalogLookup
    {
        private readonly ReadTransaction _transaction;
        private readonly string _name;
        private readonly CatalogEntryKind _kind;
        private readonly PageNumber _catalogRoot;
        private readonly ref bool _matches;
        private readonly ref PageNumber _root;
        private readonly ref TableDefinition? _definition;

        public CatalogLookup(ReadTransaction transaction, string name, CatalogEntryKind kind, PageNumber catalogRoot,
            ref bool matches, ref PageNumber root, ref TableDefinition? definition)
        {
            _transaction = transaction;
            _name = name;
            _kind = kind;
            _catalogRoot = catalogRoot;
            _matches = ref matches;
            _root = ref root;
            _definition = ref definition;
        }

        public void Read(ReadOnlySpan<byte> record)
        {
            string filePath = _transaction.Pages.FilePath;
            (CatalogEntryKind found, _root) = CatalogEntry.DecodeHeader(record, filePath, _catalogRoot);
            _matches = found == _kind;
            if (_matches && _kind == CatalogEntryKind.Table)
                _definition = _transaction.TableDefinitions.Get(_name, CatalogEntry.DefinitionOf(record), filePath);
        }
    }

    /// <summary>Ends the transaction. For a write transaction that was not committed, this rolls it back.</summary>
    public void Dispose()
    {
        if (HasEnded)
            return;
        DisposeCursors();
        End();
        GC.SuppressFinalize(this);
    }

    /// <summary>As <see cref="Dispose"/>, which never blocks on I/O (a rollback drops private pages); completes at once.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Counts changes made through this transaction, so a cursor can tell that the tree moved under it.</summary>
    internal long ChangeCount { get; private set; }

    /// <summary>Records a change: open cursors must seek again before stepping.</summary>
    internal void NoteChange() => ChangeCount++;

    /// <summary>Counts catalog changes to tables and indexes, so open <see cref="Table"/> objects reload their indexes.</summary>
    internal long SchemaVersion { get; private set; }

    /// <summary>Records a change to tables or indexes.</summary>
    internal void NoteSchemaChange()
    {
        SchemaVersion++;
        NoteChange();
    }

    /// <summary>
    /// The committed state a read-only snapshot sees, as a value that keeps nothing alive: two snapshots with equal
    /// states see the same catalog and rows (within one engine a mark names one committed state for good). Null for a
    /// write transaction, whose state changes as it writes. Valid on ended transactions too.
    /// </summary>
    internal SnapshotState? SeenState => Pages is SnapshotPages ? new SnapshotState(Engine.Instance, _registeredMark) : null;

    /// <summary>Records that table <paramref name="name"/> was dropped, after <see cref="NoteSchemaChange"/>.</summary>
    internal void NoteTableDropped(string name) => (_tablesDroppedAt ??= new(StringComparer.Ordinal))[name] = SchemaVersion;

    /// <summary>True when table <paramref name="name"/> was dropped after schema version <paramref name="schemaVersion"/>.</summary>
    internal bool WasTableDroppedSince(string name, long schemaVersion) =>
        _tablesDroppedAt is not null && _tablesDroppedAt.TryGetValue(name, out long droppedAt) && droppedAt > schemaVersion;

    /// <summary>
    /// Encoding buffers for a table of this transaction (<see cref="TableEncodingBuffers"/>): a new set here; a write
    /// transaction lends the first table that asks its cycle's set.
    /// </summary>
    internal virtual TableEncodingBuffers LendTableBuffers() => new();

    internal void Track(Cursor cursor) => (_openCursors ??= []).Add(cursor);

    /// <summary>Forgets a disposed cursor, searching from the newest: nested cursors close in the reverse order of opening.</summary>
    internal void Untrack(Cursor cursor)
    {
        int index = _openCursors!.LastIndexOf(cursor);
        if (index >= 0)
            _openCursors.RemoveAt(index);
    }

    /// <summary>Disposes every cursor still open, releasing the pages they pin.</summary>
    private protected void DisposeCursors()
    {
        if (_openCursors is null)
            return;
        for (int i = _openCursors.Count - 1; i >= 0; i--)
            _openCursors[i].Dispose();
    }

    /// <summary>True once the transaction was committed or disposed (a write transaction's <see cref="WriteCycle"/> says).</summary>
    internal virtual bool HasEnded => _ended;

    /// <summary>Releases what the transaction holds and ends it; called once, by <see cref="Dispose"/>.</summary>
    private protected virtual void End()
    {
        _ended = true;
        Engine.Readers.Leave(_registeredMark);
        if (Pages is SnapshotPages snapshot)
            Engine.ReadSnapshots.Return(snapshot);
    }

    internal void EnsureActive()
    {
        if (HasEnded)
            throw new InvalidOperationException("The transaction has ended (committed or disposed); begin a new one.");
    }

    internal virtual void EnsureWritable()
    {
        EnsureActive();
        throw new InvalidOperationException("This is a read transaction: begin a write transaction to change the database.");
    }
}
