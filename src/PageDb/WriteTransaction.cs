using PageDb.Btree;
using PageDb.Engine;
using PageDb.Records;

namespace PageDb;

/// <summary>
/// The one transaction that may change the database. Its changes are private until <see cref="Commit"/>; disposing
/// it without committing rolls everything back. Only one is open at a time: <see cref="PageDatabase.BeginWrite"/>
/// waits for the current one up to <see cref="PageDbOptions.WriteLockTimeout"/>.
/// Use it from one thread at a time.
/// </summary>
public sealed class WriteTransaction : ReadTransaction
{
    // Owns the transaction's life (the slot, the pages, the commit or rollback): this handle delegates every step. Held
    // while the cycle is open and let go as it leaves Open: an ended cycle goes back to the engine's pool and serves a
    // later transaction, which this handle must never reach.
    private WriteCycle? _cycle;

    internal WriteTransaction(WriteCycle cycle, TableDefinitionCache tableDefinitions)
        : base(cycle.Engine, cycle.Pages, default, tableDefinitions)
    {
        _cycle = cycle;
    }

    internal TransactionPages TransactionPages => Cycle.Pages;

    /// <summary>The transaction's life while it is open.</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended.</exception>
    internal WriteCycle Cycle
    {
        get
        {
            EnsureActive();
            return _cycle!;
        }
    }

    /// <summary>Creates an empty key-value tree called <paramref name="name"/>.</summary>
    /// <exception cref="PageDbException">Something called <paramref name="name"/> already exists.</exception>
    public Tree CreateTree(string name)
    {
        EnsureWritable();
        var catalog = new Catalog(Pages);
        if (catalog.TryGet(name, out _))
            throw new PageDbException($"Something named '{name}' already exists.");
        NoteChange();
        var entry = new CatalogEntry(CatalogEntryKind.Tree, BTree.Create(Pages));
        catalog.Add(name, entry);
        return new Tree(this, name, entry.Root);
    }

    /// <summary>Opens the key-value tree called <paramref name="name"/>, creating it when there is none.</summary>
    public Tree GetOrCreateTree(string name) =>
        TryGetTree(name, out Tree? tree) ? tree : CreateTree(name);

    /// <summary>Deletes the key-value tree called <paramref name="name"/> and returns its pages to the free list.</summary>
    /// <exception cref="PageDbException">There is no tree of that name.</exception>
    public void DropTree(string name)
    {
        EnsureWritable();
        var catalog = new Catalog(Pages);
        if (!catalog.TryGet(name, out CatalogEntry entry) || entry.Kind != CatalogEntryKind.Tree)
            throw new PageDbException($"There is no tree named '{name}'.");
        NoteChange();
        new BTree(Pages, entry.Root).Drop();
        catalog.Remove(name);
    }

    /// <summary>Creates an empty table with <paramref name="schema"/>; it is named by the schema.</summary>
    /// <exception cref="PageDbException">Something with the table's name already exists.</exception>
    public Table CreateTable(TableSchema schema)
    {
        EnsureWritable();
        ArgumentNullException.ThrowIfNull(schema);
        var catalog = new Catalog(Pages);
        Catalog.EncodeName(schema.Name);
        if (catalog.TryGet(schema.Name, out _))
            throw new PageDbException($"Something named '{schema.Name}' already exists.");
        NoteSchemaChange();
        var definition = new TableDefinition(schema, SchemaEncoding.EncodeTable(schema));
        var entry = new CatalogEntry(CatalogEntryKind.Table, BTree.Create(Pages), definition.Encoded);
        catalog.Add(schema.Name, entry);
        return new Table(this, definition, entry.Root);
    }

    /// <summary>
    /// Creates a table with <paramref name="schema"/> holding <paramref name="rows"/> (values in column order). While
    /// the rows come in ascending primary-key order (always, for a table keyed by a hidden row id) they are bulk
    /// loaded: each page is written once and packed full, far faster than inserting row by row. From the first row
    /// out of order on, the rest are inserted one by one. Either way the table ends as if created empty and each row
    /// inserted with <see cref="Table.Insert(Row)"/>.
    /// </summary>
    /// <returns>The new table.</returns>
    /// <exception cref="PageDbException">Something with the table's name already exists.</exception>
    /// <exception cref="ArgumentException">A row is invalid, as for <see cref="Table.Insert(Row)"/>: the table is not created.</exception>
    /// <exception cref="ConstraintViolationException">Two rows have the same primary key: the table is not created.</exception>
    public Table CreateTable(TableSchema schema, IEnumerable<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Table empty = CreateTable(schema);
        try
        {
            return empty.LoadNew(rows);
        }
        catch when (!HasEnded)
        {
            DropTable(schema.Name);
            throw;
        }
    }

    /// <summary>Deletes the table called <paramref name="name"/> with its indexes; their pages return to the free list.</summary>
    /// <exception cref="PageDbException">There is no table of that name.</exception>
    public void DropTable(string name)
    {
        EnsureWritable();
        TableSchema.ValidateName(name, nameof(name));
        var catalog = new Catalog(Pages);
        if (!catalog.TryGet(name, out CatalogEntry entry) || entry.Kind != CatalogEntryKind.Table)
            throw new PageDbException($"There is no table named '{name}'.");
        NoteSchemaChange();
        NoteTableDropped(name);
        foreach ((string indexName, CatalogEntry index) in catalog.EntriesUnder(Table.IndexPrefix(name)))
        {
            new BTree(Pages, index.Root).Drop();
            catalog.Remove(indexName);
        }
        new BTree(Pages, entry.Root).Drop();
        catalog.Remove(name);
    }

    /// <summary>
    /// Makes the transaction's changes visible to new transactions and, with <see cref="Durability.Full"/>, durable
    /// before returning. The transaction ends either way. With <see cref="Durability.Full"/> the writer slot is given
    /// to the next writer as soon as the changes are written to the log, and the sync that makes them durable is shared
    /// with the commits of other threads written meanwhile (group commit); readers see the changes once they are durable.
    /// </summary>
    /// <exception cref="PageDbIOException">Writing or syncing the WAL failed: nothing was committed, and the
    /// database refuses writes until it is reopened.</exception>
    public void Commit()
    {
        WriteCycle cycle = LetGo();
        DisposeCursors();
        cycle.Commit();
    }

    /// <summary>
    /// As <see cref="Commit"/>, for callers that await. <paramref name="cancellationToken"/> is honoured only before the
    /// commit starts (a cancelled commit throws and the transaction stays open, to be committed or disposed); once it
    /// starts it runs to the end, because a commit half done cannot be taken back. The changes are written to the log
    /// on the calling thread; the task completes when the commit is durable at the chosen level, and while another
    /// commit's thread runs the group sync that covers this one, no thread is blocked waiting for it (when this commit
    /// leads the sync, the sync runs on the calling thread).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired before the commit started.</exception>
    /// <exception cref="PageDbIOException">Writing or syncing the WAL failed, as for <see cref="Commit"/>.</exception>
    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        WriteCycle cycle;
        try
        {
            cycle = LetGo();
        }
        catch (InvalidOperationException ended)
        {
            return Task.FromException(ended); // as every failure of the commit: in the task, not thrown by the call
        }
        DisposeCursors();
        return cycle.CommitAsync();
    }

    private protected override void End() => LetGo().RollBack();

    internal override bool HasEnded => _cycle is not { IsOpen: true };

    /// <summary>The open cycle, which this handle lets go of because the caller moves it out of Open.</summary>
    /// <exception cref="InvalidOperationException">The transaction has ended.</exception>
    private WriteCycle LetGo()
    {
        WriteCycle cycle = Cycle;
        _cycle = null;
        return cycle;
    }

    internal override void EnsureWritable() => EnsureActive();

    /// <summary>The cycle's set, the first time a table of this transaction asks; a new set after that.</summary>
    internal override TableEncodingBuffers LendTableBuffers() => Cycle.LendTableBuffers() ?? new();
}
