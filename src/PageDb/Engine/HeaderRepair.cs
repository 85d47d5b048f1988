using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Restores a damaged file header (page 0) from the WAL when the WAL holds a committed copy of it: the database file
/// cannot be opened without its header, so this runs before the normal open, from what the WAL header says about the
/// database. A checkpoint writes page 0 last and syncs before the WAL forgets anything (<see cref="CheckpointTarget"/>),
/// so whenever the file's header changed since the WAL last restarted, the WAL holds a newer, sound copy, but for its
/// page count: a commit that only grew the database did not log page 0 (<see cref="HeaderPageCount"/>), so the copy
/// gets the last commit's size stamped on it. (A checkpoint that changes only the count writes a header that differs
/// from the file's in one sector, which a crash never tears: <see cref="CheckpointTarget"/>.)
/// </summary>
internal static class HeaderRepair
{
    /// <summary>
    /// Writes the WAL's newest committed page 0 over the database file's, when the WAL is sound and has one for a
    /// database of the same id and page size. Returns false (changing nothing) otherwise.
    /// </summary>
    public static bool TryRestoreFromWal(IStorage storage, string databasePath)
    {
        string walPath = WriteAheadLog.PathFor(databasePath);
        if (!TryReadWalIdentity(storage, walPath, out int pageSize, out ulong databaseId))
            return false;
        var image = new byte[pageSize];
        uint walSize;
        var walOptions = new WalOptions
        {
            PageSize = pageSize, DatabaseId = databaseId, ReadOnly = true,
            DatabasePageCount = PagesIn(storage, databasePath, pageSize),
        };
        using (WriteAheadLog wal = WriteAheadLog.Open(storage, databasePath, walOptions))
        {
            FrameIndex frame = wal.FindFrame(PageNumber.Header, wal.LastCommit);
            if (frame.IsNone || !wal.TryReadFrame(frame, image))
                return false;
            walSize = wal.DatabaseSizeAt(wal.LastCommit);
        }
        if (!IsSoundHeaderOf(image, databasePath, pageSize, databaseId, walSize))
            return false;
        HeaderPageCount.Stamp(image, walSize);
        // The WAL's header may count pages the file never received (they are still only in the WAL): give the file
        // that length, so it is not mistaken for a truncated one; reads of those pages find their WAL frames first.
        long length = (long)new FileHeaderPageReader(image).PageCount * pageSize;
        using IStorageFile file = storage.Open(databasePath, StorageOpenMode.ReadWrite);
        file.Write(0, image);
        if (file.Length < length)
            file.SetLength(length);
        file.Sync();
        return true;
    }

    /// <summary>The page size and database id a sound WAL header at <paramref name="walPath"/> names; false when it is missing or unsound.</summary>
    public static bool TryReadWalIdentity(IStorage storage, string walPath, out int pageSize, out ulong databaseId)
    {
        pageSize = 0;
        databaseId = 0;
        if (!storage.Exists(walPath))
            return false;
        var bytes = new byte[WalFormat.HeaderSize];
        using (IStorageFile file = storage.Open(walPath, StorageOpenMode.ReadOnly))
        {
            if (!file.TryReadExactly(0, bytes))
                return false;
        }
        var header = new WalHeader(bytes);
        try
        {
            header.Verify(walPath);
        }
        catch (CorruptDatabaseException)
        {
            return false;
        }
        pageSize = (int)header.PageSize;
        databaseId = header.DatabaseId;
        return true;
    }

    /// <summary>Whole pages in the database file: its header is unreadable, so its length is what bounds the log's sizes.</summary>
    private static uint PagesIn(IStorage storage, string databasePath, int pageSize)
    {
        using IStorageFile file = storage.Open(databasePath, StorageOpenMode.ReadOnly);
        return (uint)Math.Min(file.Length / pageSize, uint.MaxValue);
    }

    /// <summary>
    /// True when <paramref name="image"/> is a sound header of this database whose page count is at most the one the
    /// log's last commit records (<see cref="HeaderPageCount.Fits"/>), the size the WAL's own checks bound.
    /// </summary>
    private static bool IsSoundHeaderOf(byte[] image, string databasePath, int pageSize, ulong databaseId, uint walSize)
    {
        try
        {
            PageHeader.Verify(image, PageNumber.Header, databasePath);
            var header = new FileHeaderPageReader(image);
            header.Verify(databasePath);
            return header.DatabaseId == databaseId && header.PageSize == pageSize && HeaderPageCount.Fits(image, walSize);
        }
        catch (PageDbException)
        {
            return false;
        }
    }
}
