using System.Diagnostics;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Fills buffer-pool frames on a miss: a database-file version from the database file (checksum verified by
/// <see cref="DatabaseFile.ReadPage"/>), a WAL version from its frame (checksum and page number verified here).
/// One instance per database, shared by every thread; it keeps no state of its own.
/// </summary>
internal sealed class PageLoader(DatabaseFile file, WriteAheadLog wal) : IPageLoader
{
    public void Load(PageKey key, Span<byte> destination)
    {
        Debug.Assert(!PageVersions.IsPrivate(key), "private versions are created, never loaded");
        if (PageVersions.IsFile(key))
        {
            file.ReadPage(key.Page, destination);
            return;
        }
        // A frame the log has restarted past holds exactly what the database file now has for this page
        // (restarts happen only once everything is copied), so the file's copy is the same version.
        if (!wal.TryReadFrame(PageVersions.Frame(key), destination))
        {
            file.ReadPage(key.Page, destination);
            return;
        }
        PageHeader.Verify(destination, key.Page, wal.FilePath);
    }
}
