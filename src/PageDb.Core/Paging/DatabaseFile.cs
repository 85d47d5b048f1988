using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using PageDb.Core.Pages;

namespace PageDb.Core.Paging;

/// <summary>
/// The database file as pages: creates it (page 0, sync, directory sync), holds the writer lock, validates the header,
/// verifies every page read (<see cref="PageHeader.Verify"/>) and seals every page written (<see cref="PageHeader.Seal"/>).
/// It knows nothing of caching or transactions; a pager or the WAL engine decides what to read and write.
/// </summary>
/// <remarks>
/// Threads: <see cref="ReadPage"/> and <see cref="ReadHeader"/> from any number of threads at once; everything that
/// changes the file (writes, syncs, <see cref="SetPageCount"/>, <see cref="Truncate"/>) from one writer thread at a time.
/// Failure poisons: after a write, sync or truncate fails, every later change is refused with
/// <see cref="PageDbIOException"/> until the file is reopened, because the state on disk is then unknown.
/// </remarks>
internal sealed class DatabaseFile : IDisposable
{
    private readonly IStorageFile _file;
    private uint _pageCount; // written by the writer thread, read by any: accessed through Volatile
    private readonly FailureState _failure; // shared with the rest of the engine: a failure anywhere refuses changes here
    private InPlacePages? _inPlace; // set once by Open when the file is mapped, before the file is shared between threads

    private DatabaseFile(IStorageFile file, int pageSize, uint formatVersion, uint pageCount, ulong databaseId, bool isReadOnly, bool wasCreated, FailureState failure)
    {
        _file = file;
        _failure = failure;
        PageSize = pageSize;
        FormatVersion = formatVersion;
        _pageCount = pageCount;
        DatabaseId = databaseId;
        IsReadOnly = isReadOnly;
        WasCreated = wasCreated;
    }

    /// <summary>The file's path, as given to <see cref="Open"/>.</summary>
    public string Path => _file.Path;

    /// <summary>The size of every page, fixed when the file was created.</summary>
    public int PageSize { get; }

    /// <summary>The format version recorded at creation (<see cref="FileHeaderPage.CurrentFormatVersion"/> for a new file); never changes.</summary>
    public uint FormatVersion { get; }

    /// <summary>The random id written at creation; a WAL belongs to this database only when it records the same id.</summary>
    public ulong DatabaseId { get; }

    /// <summary>True when opened with <see cref="StorageOpenMode.ReadOnly"/> (no writer lock is held).</summary>
    public bool IsReadOnly { get; }

    /// <summary>True when <see cref="Open"/> created the database (the file was missing, empty, or an unfinished creation).</summary>
    public bool WasCreated { get; }

    /// <summary>
    /// The pages that exist, page 0 included: the header's count when opened, then whatever the owner sets. Pages at or
    /// past it cannot be read.
    /// </summary>
    public uint PageCount => Volatile.Read(ref _pageCount);

    /// <summary>True when page reads copy from a memory mapping of the file instead of calling pread (<see cref="Open"/>'s <c>mapForReading</c>).</summary>
    public bool IsMapped => _file is FileStorageFile { IsMapped: true };

    /// <summary>True once a change failed (here, or elsewhere in the engine sharing its failure state); the file then refuses changes until reopened.</summary>
    public bool IsFailed => _failure.IsFailed;

    /// <summary>
    /// Opens the database file at <paramref name="path"/>, creating it with pages of <paramref name="pageSize"/> bytes
    /// when <paramref name="mode"/> allows and there is none. Unless read-only, takes the writer lock. With
    /// <paramref name="mapForReading"/>, a writer's page reads copy from a memory mapping of the file where the platform
    /// has one (<see cref="FileMapping"/>); a read-only open always reads with pread, since another process's writer
    /// may shrink the file under it. Either way every page read is verified.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is not a power of two in 4096..65536.</exception>
    /// <exception cref="FileNotFoundException">No file, and <paramref name="mode"/> does not create one.</exception>
    /// <exception cref="DatabaseLockedException">Another process or open instance has the file open for writing.</exception>
    /// <exception cref="PageDbException">The file is not a PageDb database, or has a newer format version.</exception>
    /// <exception cref="CorruptDatabaseException">The header is damaged or the file is truncated.</exception>
    public static DatabaseFile Open(IStorage storage, string path, StorageOpenMode mode, int pageSize = FileHeaderPage.DefaultPageSize,
        FailureState? failure = null, bool mapForReading = false)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!FileHeaderPage.IsValidPageSize(pageSize))
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "the page size must be a power of two from 4096 to 65536");

        IStorageFile file = storage.Open(path, mode);
        try
        {
            bool isReadOnly = mode == StorageOpenMode.ReadOnly;
            if (!isReadOnly && !file.TryLockExclusive())
                throw new DatabaseLockedException(path);
            DatabaseFile database = mode == StorageOpenMode.CreateIfMissing && IsUnfinishedCreation(file)
                ? Create(storage, file, pageSize, failure ?? new FailureState())
                : OpenExisting(file, isReadOnly, failure ?? new FailureState());
            if (mapForReading && !isReadOnly && file is FileStorageFile mappable)
            {
                mappable.MapForReading();
                if (mappable.Mapping is { } mapping)
                    database._inPlace = new InPlacePages(mapping, database.PageSize, path);
            }
            return database;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads page <paramref name="page"/> into <paramref name="destination"/> and verifies it.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The page is past the end, missing from the file, or fails its checksum,
    /// page number or type check; names the file and the page.</exception>
    public void ReadPage(PageNumber page, Span<byte> destination)
    {
        CheckPageBuffer(destination.Length);
        uint pageCount = PageCount;
        if (page.Value >= pageCount)
            ThrowPastEnd(page, pageCount);
        ReadVerified(_file, page, destination);
    }

    /// <summary>
    /// Lends page <paramref name="page"/> in place from the file's mapping, checked as <see cref="ReadPage"/> and the
    /// pool's loader check a page (<see cref="InPlacePages"/>, which also says why its bytes cannot change while lent).
    /// False when the file is not mapped, the page is past the end or not mapped, or fails a check: read it with
    /// <see cref="ReadPage"/> then, which reports what is wrong. Only for a page that has no log frame in the caller's snapshot.
    /// Never lends page 0: a checkpoint may rewrite the file's header in place while readers read it (its page count,
    /// <see cref="ReadVerified"/>), so it is always copied, and a copy that a write tore is read again.
    /// </summary>
    public bool TryLend(PageNumber page, out PageHandle handle)
    {
        if (_inPlace is null || page.Value >= PageCount || page == PageNumber.Header)
        {
            handle = default;
            return false;
        }
        return _inPlace.TryLend(page, out handle);
    }

    /// <summary>
    /// Reads page <paramref name="page"/> as <see cref="ReadPage"/> does, bounded by the file's length instead of
    /// <see cref="PageCount"/>: for a page whose log frame was forgotten or overwritten after a checkpoint copied it
    /// here. Beside another process's writer that checkpoint may have grown the file past the count this read-only
    /// open read from the header; the caller's snapshot, which counts the page, vouches that it exists.
    /// </summary>
    /// <exception cref="CorruptDatabaseException">The file ends before the page, or the page fails its checks.</exception>
    public void ReadCopiedPage(PageNumber page, Span<byte> destination)
    {
        CheckPageBuffer(destination.Length);
        ReadVerified(_file, page, destination);
    }

    /// <summary>
    /// Reads page <paramref name="page"/> (as many bytes as <paramref name="destination"/> holds) and verifies it. Page 0
    /// is read again, a few times, while its checksum fails: it is the one page a checkpoint rewrites in place while
    /// readers read it from the file (a commit that only grows the database does not log it, so the checkpoint stamps
    /// the file's own header with the new page count: docs/FORMAT.md, "Unlogged growth"). That write changes only the
    /// count and the checksum, and writes the page whole, so a read it overlaps may see one changed and not the other
    /// (pread and a copy from the mapping are not atomic against a write), and a read after it sees both. A header
    /// still failing after <see cref="HeaderReadAttempts"/> reads is damaged, and reported as such.
    /// </summary>
    private static void ReadVerified(IStorageFile file, PageNumber page, Span<byte> destination)
    {
        for (int attempt = 1; ; attempt++)
        {
            if (!file.TryReadExactly(page.FileOffset(destination.Length), destination))
                ThrowHelper.ThrowCorrupt(file.Path, page, "the file ends before this page (truncated)");
            if (page != PageNumber.Header || attempt == HeaderReadAttempts || PageHeader.IsSealed(destination, page))
                break;
            if (attempt < HeaderReadAttempts / 2)
                Thread.Yield();
            else
                Thread.Sleep(1); // the writer may have been preempted mid-write: give it time to finish
        }
        PageHeader.Verify(destination, page, file.Path);
    }

    /// <summary>How many times <see cref="ReadVerified"/> reads page 0 before it reports a checksum failure.</summary>
    internal const int HeaderReadAttempts = 10;

    /// <summary>Reads page 0 and checks it as a file header (<see cref="FileHeaderPageReader.Verify"/>) of this database.</summary>
    public void ReadHeader(Span<byte> destination)
    {
        ReadPage(PageNumber.Header, destination);
        var header = new FileHeaderPageReader(destination);
        header.Verify(Path);
        if (header.DatabaseId != DatabaseId)
            ThrowHelper.ThrowCorrupt(Path, PageNumber.Header, "the database id changed while the file was open");
    }

    /// <summary>
    /// Seals <paramref name="source"/> (page number and checksum, in place) and writes it as page <paramref name="page"/>,
    /// which must be below <see cref="PageCount"/>. Not durable until <see cref="Sync"/>.
    /// </summary>
    public void WritePage(PageNumber page, Span<byte> source)
    {
        PageHeader.Seal(source, page);
        WriteSealedPage(page, source);
    }

    /// <summary>
    /// Writes <paramref name="source"/>, already sealed as page <paramref name="page"/> (a checkpoint copying a verified
    /// WAL frame), byte for byte; the page must be below <see cref="PageCount"/>. Not durable until <see cref="Sync"/>.
    /// </summary>
    public void WriteSealedPage(PageNumber page, ReadOnlySpan<byte> source)
    {
        CheckPageBuffer(source.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(page.Value, PageCount, nameof(page));
        ThrowIfChangesRefused();
        Debug.Assert(PageHeader.GetPageNumber(source) == page, "the page is sealed as this page");
        _inPlace?.BeginChange(page);
        try
        {
            _file.Write(page.FileOffset(PageSize), source);
        }
        catch (PageDbIOException e)
        {
            Poison(e);
            throw;
        }
        finally
        {
            _inPlace?.EndChange(page);
        }
    }

    /// <summary>Writes <paramref name="header"/> as page 0 (see <see cref="WritePage"/>).</summary>
    public void WriteHeader(Span<byte> header)
    {
        Debug.Assert(new FileHeaderPageReader(header).PageCount == PageCount, "set the page count before writing a header that changes it");
        Debug.Assert(new FileHeaderPageReader(header).DatabaseId == DatabaseId, "the database id never changes");
        WritePage(PageNumber.Header, header);
    }

    /// <summary>Makes every write so far durable (fdatasync: data and file size, not other metadata).</summary>
    public void Sync()
    {
        ThrowIfChangesRefused();
        try
        {
            _file.Sync(includeMetadata: false);
        }
        catch (PageDbIOException e)
        {
            Poison(e);
            throw;
        }
    }

    /// <summary>
    /// Records that the database now has <paramref name="pageCount"/> pages. Growing changes nothing on disk: the pages
    /// come into being when written. Shrinking makes the pages past the count unreadable; see also <see cref="Truncate"/>.
    /// </summary>
    public void SetPageCount(uint pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pageCount);
        ThrowIfChangesRefused();
        Volatile.Write(ref _pageCount, pageCount);
    }

    /// <summary>
    /// Extends the file with zeros to hold <see cref="PageCount"/> pages when it is shorter: pages counted but never
    /// written (allocated and freed again before a flush) must still exist, or the file would read as truncated.
    /// </summary>
    public void ExtendToPageCount()
    {
        ThrowIfChangesRefused();
        long needed = (long)PageCount * PageSize;
        try
        {
            if (_file.Length < needed)
                _file.SetLength(needed);
        }
        catch (PageDbIOException e)
        {
            Poison(e);
            throw;
        }
    }

    /// <summary>Sets the page count and cuts (or extends with zeros) the file to exactly that many pages. Sync afterwards.</summary>
    public void Truncate(uint pageCount)
    {
        SetPageCount(pageCount);
        _inPlace?.ForgetFrom(pageCount);
        try
        {
            _file.SetLength((long)pageCount * PageSize);
        }
        catch (PageDbIOException e)
        {
            Poison(e);
            throw;
        }
        finally
        {
            _inPlace?.ForgetFrom(pageCount);
        }
    }

    /// <summary>Closes the file and releases the writer lock. Unsynced writes are not synced.</summary>
    public void Dispose() => _file.Dispose();

    private static DatabaseFile Create(IStorage storage, IStorageFile file, int pageSize, FailureState failure)
    {
        ulong databaseId = NewDatabaseId();
        var page = new byte[pageSize];
        FileHeaderPage.Format(page, databaseId);
        PageHeader.Seal(page, PageNumber.Header);
        file.Write(0, page);
        if (file.Length != pageSize)
            file.SetLength(pageSize);
        file.Sync(includeMetadata: true);
        storage.SyncDirectory(file.Path);
        return new DatabaseFile(file, pageSize, FileHeaderPage.CurrentFormatVersion, pageCount: 1, databaseId, isReadOnly: false, wasCreated: true, failure);
    }

    private static DatabaseFile OpenExisting(IStorageFile file, bool isReadOnly, FailureState failure)
    {
        Span<byte> prefix = stackalloc byte[FileHeaderPage.FieldsEnd];
        int prefixLength = file.Read(0, prefix);
        int pageSize = FileHeaderPageReader.ValidateIdentity(prefix[..prefixLength], file.Path);

        var page = new byte[pageSize];
        if (file.Length < pageSize)
            ThrowHelper.ThrowCorrupt(file.Path, "the file is shorter than one page (truncated)");
        ReadVerified(file, PageNumber.Header, page);
        var header = new FileHeaderPageReader(page);
        header.Verify(file.Path);
        header.CheckFileLength(file.Length, file.Path);
        return new DatabaseFile(file, pageSize, header.FormatVersion, header.PageCount, header.DatabaseId, isReadOnly, wasCreated: false, failure);
    }

    /// <summary>
    /// True for an empty file, or one holding only zeros and no longer than a page: what a crash during
    /// <see cref="Create"/> leaves behind (the new size may reach the disk before the contents). Such a file never
    /// held data, so creating the database over it loses nothing.
    /// </summary>
    private static bool IsUnfinishedCreation(IStorageFile file)
    {
        long length = file.Length;
        if (length > FileHeaderPage.MaxPageSize)
            return false;
        var bytes = new byte[length];
        return file.TryReadExactly(0, bytes) && !bytes.AsSpan().ContainsAnyExcept((byte)0);
    }

    private static ulong NewDatabaseId()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        ulong id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        }
        while (id == 0); // 0 is kept free to mean "no database" in WAL headers
        return id;
    }

    private void CheckPageBuffer(int length)
    {
        if (length != PageSize)
            ThrowHelper.ThrowArgument("buffer", "a page buffer must be exactly one page long");
    }

    private void ThrowIfChangesRefused()
    {
        if (IsReadOnly)
            ThrowHelper.ThrowInvalidOperation("the database file was opened read-only");
        if (_failure.Failure is { } failure)
            ThrowFailedEarlier(failure);
    }

    private void Poison(Exception failure) => _failure.Fail(failure);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowPastEnd(PageNumber page, uint pageCount) =>
        ThrowHelper.ThrowCorrupt(Path, page, $"the page is past the end of the database ({pageCount} pages)");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowFailedEarlier(Exception failure) =>
        throw new PageDbIOException(Path, $"'{Path}' refuses changes after an earlier failed write or sync ({failure.Message}); reopen the database to recover.");
}
