using PageDb.Core.Buffers;
using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// A plain, non-transactional <see cref="IPageAccessor"/> over one <see cref="DatabaseFile"/> and a
/// <see cref="BufferPool"/>: pages are cached under <see cref="PageKey.FromFile"/>, changed in place in the pool, and
/// written back by <see cref="Flush"/>. For tools, tests and building blocks; the engine's transactions go through the
/// WAL instead.
/// </summary>
/// <remarks>
/// Threads: single-threaded. One thread at a time may call any member (the writer); nothing here takes a lock.
/// Durability: nothing is durable until <see cref="Flush"/>, and a crash during a flush can leave any mix of old and new
/// pages (there is no log): Flush writes the data pages and syncs them before it writes and syncs the header, so the
/// header never counts pages or free-list trunks that are not on disk. <see cref="Dispose"/> does not flush.
/// Allocation reuses free-list pages (<see cref="FreePageList"/>) before growing the file.
/// </remarks>
public sealed class Pager : IPageAccessor, IDisposable
{
    private readonly DatabaseFile _file;
    private readonly BufferPool _pool;
    private readonly FileLoader _loader;
    private readonly bool _ownsFileAndPool;
    private readonly List<PageKey> _dirtyKeys = [];
    private readonly byte[] _writeBuffer; // a sealed copy of each page is written, so cached bytes are never changed by Seal

    /// <summary>A pager over <paramref name="file"/> caching in <paramref name="pool"/>; the caller keeps ownership of both.</summary>
    public Pager(DatabaseFile file, BufferPool pool) : this(file, pool, ownsFileAndPool: false)
    {
    }

    private Pager(DatabaseFile file, BufferPool pool, bool ownsFileAndPool)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.PageSize != file.PageSize)
            throw new ArgumentException("the pool's page size must be the file's", nameof(pool));
        _file = file;
        _pool = pool;
        _loader = new FileLoader(file);
        _ownsFileAndPool = ownsFileAndPool;
        _writeBuffer = new byte[file.PageSize];
    }

    /// <summary>Opens (or creates) the database at <paramref name="path"/> with its own pool of <paramref name="cacheBytes"/>; disposing the pager closes both.</summary>
    public static Pager Open(IStorage storage, string path, StorageOpenMode mode, int pageSize = FileHeaderPage.DefaultPageSize, long cacheBytes = 4L << 20)
    {
        DatabaseFile file = DatabaseFile.Open(storage, path, mode, pageSize);
        try
        {
            return new Pager(file, new BufferPool(file.PageSize, cacheBytes), ownsFileAndPool: true);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int PageSize => _file.PageSize;

    /// <inheritdoc/>
    public string FilePath => _file.Path;

    /// <summary>The database file underneath.</summary>
    public DatabaseFile File => _file;

    /// <summary>The pool pages are cached in.</summary>
    public BufferPool Pool => _pool;

    /// <summary>Pages in the database, page 0 included, counting pages allocated but not yet flushed.</summary>
    public uint PageCount => _file.PageCount;

    /// <inheritdoc/>
    public PageHandle Read(PageNumber page) => _pool.Pin(PageKey.FromFile(page), _loader);

    /// <inheritdoc/>
    public PageHandle Write(PageNumber page)
    {
        ThrowIfReadOnly();
        var key = PageKey.FromFile(page);
        PageHandle handle = _pool.Pin(key, _loader, forWriting: true);
        _pool.MarkDirty(key);
        return handle;
    }

    /// <inheritdoc/>
    public PageHandle Allocate(PageType type)
    {
        ThrowIfReadOnly();
        if (!FreePageList.TryPop(this, out PageNumber page))
            page = Grow();
        var key = PageKey.FromFile(page);
        _pool.Remove(key); // a reused page's old cached bytes are meaningless; never read it from the file either
        PageHandle handle = _pool.PinNewVersion(key);
        PageHeader.Initialize(handle.Writable, type, page);
        return handle;
    }

    /// <inheritdoc/>
    public void Free(PageNumber page)
    {
        ThrowIfReadOnly();
        if (!FreePageList.Push(this, page))
            _pool.Remove(PageKey.FromFile(page)); // a plain entry: its bytes no longer matter, so never write them back
    }

    /// <summary>
    /// Writes every changed page and then the header (with its change counter incremented), syncing after each step.
    /// Does nothing when no page changed.
    /// </summary>
    public void Flush()
    {
        ThrowIfReadOnly();
        _dirtyKeys.Clear();
        _pool.CopyDirtyKeys(_dirtyKeys);
        if (_dirtyKeys.Count == 0)
            return;
        BumpChangeCounter();
        _dirtyKeys.Sort(ByPageNumber);
        foreach (PageKey key in _dirtyKeys)
        {
            if (!key.Page.IsNone)
                WriteBack(key);
        }
        _file.ExtendToPageCount();
        _file.Sync();
        WriteBack(PageKey.FromFile(PageNumber.Header));
        _file.Sync();
        foreach (PageKey key in _dirtyKeys)
            _pool.MarkClean(key);
        _pool.MarkClean(PageKey.FromFile(PageNumber.Header));
    }

    /// <summary>Releases the file and pool when this pager opened them. Changes not flushed are lost.</summary>
    public void Dispose()
    {
        if (!_ownsFileAndPool)
            return;
        _pool.Dispose();
        _file.Dispose();
    }

    private static readonly Comparison<PageKey> ByPageNumber = static (a, b) => a.Page.CompareTo(b.Page);

    private PageNumber Grow()
    {
        using PageHandle headerHandle = Write(PageNumber.Header);
        var header = new FileHeaderPage(headerHandle.Writable);
        uint count = header.PageCount;
        if (count == uint.MaxValue)
            throw new PageDbException($"'{FilePath}' has reached the largest possible number of pages.");
        header.PageCount = count + 1;
        _file.SetPageCount(count + 1);
        return new PageNumber(count);
    }

    private void BumpChangeCounter()
    {
        using PageHandle headerHandle = Write(PageNumber.Header);
        var header = new FileHeaderPage(headerHandle.Writable);
        header.ChangeCounter++;
    }

    private void WriteBack(PageKey key)
    {
        using (PageHandle handle = _pool.Pin(key, _loader))
            handle.Data.CopyTo(_writeBuffer);
        if (key.Page.IsNone)
            _file.WriteHeader(_writeBuffer);
        else
            _file.WritePage(key.Page, _writeBuffer);
    }

    private void ThrowIfReadOnly()
    {
        if (_file.IsReadOnly)
            ThrowHelper.ThrowInvalidOperation("the database was opened read-only");
    }

    /// <summary>Fills pool frames from the file, verifying each page (the header as a header).</summary>
    private sealed class FileLoader(DatabaseFile file) : IPageLoader
    {
        public void Load(PageKey key, Span<byte> destination)
        {
            if (key.Page.IsNone)
                file.ReadHeader(destination);
            else
                file.ReadPage(key.Page, destination);
        }
    }
}
