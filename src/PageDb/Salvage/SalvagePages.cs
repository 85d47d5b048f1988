using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Salvage;

/// <summary>
/// The pages of a damaged database, read-only: for each page, the newest committed WAL frame when the WAL is readable,
/// else the database file's copy; a page that fails its checksum, page number or type check is unreadable
/// (<see cref="TryRead"/> says so; <see cref="Read"/> throws <see cref="CorruptDatabaseException"/>, so that B+tree
/// cursors stop at it). Nothing is ever written: the file and the WAL are opened read-only. Single-threaded.
/// </summary>
internal sealed class SalvagePages : IPageAccessor, IDisposable
{
    private readonly IStorageFile _file;
    private readonly WriteAheadLog? _wal;

    private SalvagePages(IStorageFile file, WriteAheadLog? wal, int pageSize, uint pageCount)
    {
        _file = file;
        _wal = wal;
        PageSize = pageSize;
        PageCount = pageCount;
    }

    /// <inheritdoc/>
    public int PageSize { get; }

    /// <inheritdoc/>
    public string FilePath => _file.Path;

    /// <summary>
    /// The format version leaves are read by: the database file's own header's when it names one this build reads (as
    /// opening the database reads them; the version is fixed at creation, so a WAL copy of page 0 naming another is
    /// the damaged one), else the newest header's, else the current one: leaves of a file whose header is lost are
    /// read as this build writes them.
    /// </summary>
    public uint FormatVersion
    {
        get
        {
            if (IsReadable(FileFormatVersion))
                return FileFormatVersion;
            uint version = Header is null ? 0 : new FileHeaderPageReader(Header).FormatVersion;
            return IsReadable(version) ? version : FileHeaderPage.CurrentFormatVersion;
        }
    }

    // The format version in the database file's own page 0 when it was readable as a header, else 0.
    private uint FileFormatVersion { get; init; }

    private static bool IsReadable(uint formatVersion) => formatVersion is >= 1 and <= FileHeaderPage.CurrentFormatVersion;

    /// <summary>Pages to survey: the file's length in pages, or the WAL's last commit size when larger.</summary>
    public uint PageCount { get; }

    /// <summary>The file header's fields when page 0 is readable as a header of this page size, else null.</summary>
    public byte[]? Header { get; private set; }

    /// <summary>
    /// The database ids a sound WAL beside the file and the file's sound header name when they differ, else null. Opening the database ignores such a WAL as another database's, and so does salvage (its frames are not
    /// read); the salvager reports it, since the id in either header may be the damaged field.
    /// </summary>
    public (ulong Wal, ulong File)? ForeignWalIds { get; private init; }

    /// <summary>
    /// Opens <paramref name="path"/> (and its WAL, when the database's identity names it) read-only. The identity (page
    /// size and database id) is chosen as opening the database chooses it: the file header's when the header passes
    /// the checks an open makes, else a sound WAL's (whose newest copy of page 0, read below, may restore the catalog,
    /// as <c>HeaderRepair</c> does on open), else the damaged header's, else a probed page size and no WAL. With
    /// <paramref name="readForeignWal"/>, a sound WAL naming another id than a sound header gives the identity instead.
    /// </summary>
    /// <exception cref="PageDbException">No page size under which the file holds readable pages.</exception>
    public static SalvagePages Open(IStorage storage, string path, bool readForeignWal)
    {
        IStorageFile file = storage.Open(path, StorageOpenMode.ReadOnly);
        try
        {
            byte[]? header = ReadHeader(file);
            bool walNamed = Engine.HeaderRepair.TryReadWalIdentity(storage, WriteAheadLog.PathFor(path), out int walPageSize, out ulong walId)
                && FileHeaderPage.IsValidPageSize(walPageSize);
            WriteAheadLog? wal;
            int pageSize;
            (ulong, ulong)? foreignWalIds = null;
            bool walFirst = walNamed && readForeignWal && header is not null && walId != new FileHeaderPageReader(header).DatabaseId;
            if (header is not null && !walFirst && (OpensAsIs(header, file.Path) || !walNamed))
            {
                var fields = new FileHeaderPageReader(header);
                pageSize = fields.PageSize;
                wal = OpenWal(storage, path, pageSize, fields.DatabaseId);
                if (walNamed && walId != fields.DatabaseId)
                    foreignWalIds = (walId, fields.DatabaseId);
            }
            else if (walNamed)
            {
                pageSize = walPageSize;
                wal = OpenWal(storage, path, pageSize, walId);
            }
            else
            {
                pageSize = ProbePageSize(file);
                wal = null;
            }
            uint pageCount = (uint)Math.Min(uint.MaxValue, file.Length / pageSize);
            if (wal is not null && !wal.LastCommit.LastCommitFrame.IsNone)
            {
                // Pages past the file's end exist only as WAL frames: a commit size larger than that is not believed.
                long plausible = pageCount + wal.LastCommit.LastCommitFrame.Value;
                pageCount = (uint)Math.Clamp((long)wal.DatabaseSizeAt(wal.LastCommit), pageCount, Math.Min(plausible, uint.MaxValue));
            }
            var pages = new SalvagePages(file, wal, pageSize, pageCount)
            {
                ForeignWalIds = foreignWalIds,
                FileFormatVersion = header is null ? 0 : new FileHeaderPageReader(header).FormatVersion,
            };
            pages.Header = pages.TryRead(PageNumber.Header, out byte[]? newest) && IsHeader(newest, pageSize) ? newest : header;
            return pages;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads page <paramref name="page"/>; false when it is missing or fails its checks.</summary>
    public bool TryRead(PageNumber page, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? image)
    {
        image = new byte[PageSize];
        if (page.Value >= PageCount || !TryLoad(page, image) || !IsSound(image, page, FilePath))
        {
            image = null;
            return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public PageHandle Read(PageNumber page)
    {
        if (!TryRead(page, out byte[]? image))
            ThrowHelper.ThrowCorrupt(FilePath, page, "the page is missing or fails its checks");
        return new PageHandle(new Frame(image, page), isWritable: false);
    }

    /// <inheritdoc/>
    public PageHandle Write(PageNumber page) => throw ReadOnly();

    /// <inheritdoc/>
    public PageHandle Allocate(PageType type) => throw ReadOnly();

    /// <inheritdoc/>
    public void Free(PageNumber page) => throw ReadOnly();

    /// <inheritdoc/>
    public void Dispose()
    {
        _wal?.Dispose();
        _file.Dispose();
    }

    private bool TryLoad(PageNumber page, byte[] image)
    {
        if (_wal is not null)
        {
            FrameIndex frame = _wal.FindFrame(page, _wal.LastCommit);
            try
            {
                if (!frame.IsNone && _wal.TryReadFrame(frame, image))
                    return true;
            }
            catch (CorruptDatabaseException)
            {
                // The frame does not decode: the file's copy may still be readable.
            }
        }
        return _file.TryReadExactly(page.FileOffset(PageSize), image);
    }

    private static bool IsSound(ReadOnlySpan<byte> image, PageNumber page, string path)
    {
        try
        {
            PageHeader.Verify(image, page, path);
            return true;
        }
        catch (CorruptDatabaseException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="header"/> passes the checks opening the database makes (else an open repairs it from the WAL).</summary>
    private static bool OpensAsIs(byte[] header, string path)
    {
        try
        {
            new FileHeaderPageReader(header).Verify(path);
            return true;
        }
        catch (CorruptDatabaseException)
        {
            return false;
        }
    }

    private static bool IsHeader(byte[] image, int pageSize)
    {
        var header = new FileHeaderPageReader(image);
        return header.HasMagic && header.PageSize == pageSize;
    }

    /// <summary>Page 0 when it passes its checks as a file header, else null.</summary>
    private static byte[]? ReadHeader(IStorageFile file)
    {
        var prefix = new byte[FileHeaderPage.MinPageSize];
        if (!file.TryReadExactly(0, prefix))
            return null;
        int pageSize = new FileHeaderPageReader(prefix).PageSize;
        if (!FileHeaderPage.IsValidPageSize(pageSize))
            return null;
        var page = new byte[pageSize];
        if (!file.TryReadExactly(0, page) || !IsSound(page, PageNumber.Header, file.Path) || !IsHeader(page, pageSize))
            return null;
        return page;
    }

    /// <summary>With no readable header: the page size under which most of the first pages pass their checks.</summary>
    private static int ProbePageSize(IStorageFile file)
    {
        const int probes = 16;
        (int size, int sound) best = (0, 0);
        for (int size = FileHeaderPage.MinPageSize; size <= FileHeaderPage.MaxPageSize; size *= 2)
        {
            var image = new byte[size];
            int sound = 0;
            for (uint page = 1; page <= probes; page++)
            {
                if (file.TryReadExactly(new PageNumber(page).FileOffset(size), image) && IsSound(image, new PageNumber(page), file.Path))
                    sound++;
            }
            if (sound > best.sound)
                best = (size, sound);
        }
        if (best.sound == 0)
            throw new PageDbException($"'{file.Path}' holds no readable page of any page size: nothing can be salvaged.");
        return best.size;
    }

    private static WriteAheadLog? OpenWal(IStorage storage, string path, int pageSize, ulong databaseId)
    {
        try
        {
            return WriteAheadLog.Open(storage, path, new WalOptions { PageSize = pageSize, DatabaseId = databaseId, ReadOnly = true });
        }
        catch (PageDbException)
        {
            return null; // a WAL that does not open adds nothing: the file's pages are all there is
        }
    }

    private static InvalidOperationException ReadOnly() => new("A damaged database is only read while it is salvaged.");

    private sealed class Frame : PageFrame
    {
        public Frame(byte[] buffer, PageNumber number) : base(buffer) => Number = number;

        public override void Unpin()
        {
        }
    }
}
