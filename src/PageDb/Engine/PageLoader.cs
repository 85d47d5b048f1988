using System.Diagnostics;
using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Fills buffer-pool frames on a miss: a database-file version from the database file (checksum verified by
/// <see cref="DatabaseFile.ReadPage"/>), a WAL version from its frame (checksum and page number verified here).
/// A slotted page is also checked against its layout invariants (<see cref="SlottedPageReader.FindProblem"/>): a page
/// whose checksum is right but whose header or cell pointers are not (a buggy or hostile writer) is refused here, once
/// per load, so neither the read path nor the write path, which trusts the free-space fields, ever works on it.
/// One instance per database, shared by every thread; it keeps no state of its own.
/// </summary>
internal sealed class PageLoader(DatabaseFile file, WriteAheadLog wal) : IPageLoader
{
    public void Load(PageKey key, Span<byte> destination)
    {
        Debug.Assert(!PageVersions.IsPrivate(key), "private versions are created, never loaded");
        string source = LoadBytes(key, destination);
        if (PageHeader.IsSlotted(destination))
            new SlottedPageReader(destination, source).Verify(key.Page, source);
    }

    /// <summary>
    /// Reads a page version and verifies its checksum and page number, not its layout: for pages whose bytes nothing
    /// uses (a free page keeps the bytes of its earlier life until a reuse overwrites them unread).
    /// </summary>
    public void LoadChecksummed(PageKey key, Span<byte> destination) => LoadBytes(key, destination);

    /// <summary>Reads and verifies the page's bytes; returns the path of the file they came from.</summary>
    private string LoadBytes(PageKey key, Span<byte> destination)
    {
        // A frame the log has restarted past holds exactly what the database file now has for this page
        // (restarts happen only once everything is copied), so the file's copy is the same version.
        if (PageVersions.IsFile(key))
        {
            file.ReadPage(key.Page, destination);
            return file.Path;
        }
        if (!wal.TryReadFrame(PageVersions.Frame(key), destination))
        {
            file.ReadCopiedPage(key.Page, destination);
            return file.Path;
        }
        PageHeader.Verify(destination, key.Page, wal.FilePath);
        return wal.FilePath;
    }
}
