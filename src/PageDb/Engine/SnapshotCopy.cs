using PageDb.Core.Pages;

namespace PageDb.Engine;

/// <summary>
/// Reads one committed snapshot page by page, in page order and in batches, as the bytes of a database file: page N
/// of the snapshot at offset N * page size, so the batches written one after another are a database file that opens
/// on its own, with no WAL, at the state of the snapshot's last commit.
/// </summary>
/// <remarks>
/// Why this is a consistent copy while writers go on: the snapshot is a registered read transaction, so its mark holds
/// every version it reads in place (checkpoints copy only up to the oldest reader's mark, and the WAL restarts only
/// when no reader is older than the last commit); no write lock is taken. Pages are read through the engine's loader,
/// not the buffer pool, so a backup verifies every checksum from disk and does not evict the hot set; the header page
/// of the snapshot is the newest one its commits wrote, so its free list describes exactly the pages copied, and it
/// gets the snapshot's page count stamped on it (a commit that only grew the database did not log it:
/// <see cref="HeaderPageCount"/>).
/// Used from one thread at a time (an async backup may move between threads between batches).
/// </remarks>
internal sealed class SnapshotCopy : IDisposable
{
    private const int PagesPerBatch = 64;

    private readonly ReadTransaction _transaction;
    private readonly bool _ownsTransaction;
    private readonly SnapshotPages _pages;
    private readonly byte[] _batch;
    private uint _nextPage;

    /// <summary>A copy of <paramref name="transaction"/>'s snapshot, which <see cref="Dispose"/> ends unless <paramref name="leaveOpen"/>.</summary>
    public SnapshotCopy(ReadTransaction transaction, bool leaveOpen = false)
    {
        _transaction = transaction;
        _ownsTransaction = !leaveOpen;
        _pages = (SnapshotPages)transaction.Pages;
        _batch = new byte[PagesPerBatch * _pages.PageSize];
    }

    /// <summary>Pages in the snapshot, the header included.</summary>
    public uint PageCount => _pages.PageCount;

    /// <summary>The progress after the batches returned so far were written.</summary>
    public BackupProgress Progress => new(_nextPage, PageCount);

    /// <summary>The next pages of the file (whole pages, verified), or an empty batch when every page was returned.</summary>
    /// <exception cref="CorruptDatabaseException">A page fails its checksum, or the header counts more pages than the snapshot.</exception>
    public ReadOnlyMemory<byte> NextBatch()
    {
        int pageSize = _pages.PageSize;
        int count = (int)Math.Min(PagesPerBatch, PageCount - _nextPage);
        for (int i = 0; i < count; i++)
        {
            var page = new PageNumber(_nextPage + (uint)i);
            Span<byte> destination = _batch.AsSpan(i * pageSize, pageSize);
            _transaction.Engine.Loader.Load(_pages.KeyOf(page), destination);
            if (page == PageNumber.Header)
                StampHeader(destination);
        }
        _nextPage += (uint)count;
        return _batch.AsMemory(0, count * pageSize);
    }

    public void Dispose()
    {
        if (_ownsTransaction)
            _transaction.Dispose();
    }

    private void StampHeader(Span<byte> header)
    {
        new FileHeaderPageReader(header).Verify(_pages.FilePath);
        if (!HeaderPageCount.Fits(header, PageCount))
            ThrowHelper.ThrowCorrupt(_pages.FilePath, PageNumber.Header, "the header counts more pages than the snapshot's last commit");
        HeaderPageCount.Stamp(header, PageCount);
    }
}
