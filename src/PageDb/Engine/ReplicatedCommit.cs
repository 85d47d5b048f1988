using PageDb.Core.Pages;

namespace PageDb.Engine;

/// <summary>
/// Applies one commit received from a replica store (whole page images and the database size after it) to a database,
/// as a write transaction would append it: the pages go to the WAL as frames, the last one as the commit frame, under
/// the write gate, so read transactions on the database see the state before or after it, never between. Used by
/// restore and by read replicas (PageDb.Replication); every later step (checkpoints, recovery after a crash) is the
/// engine's usual one.
/// </summary>
internal static class ReplicatedCommit
{
    /// <summary>Appends <paramref name="pages"/> as one commit leaving the database <paramref name="databaseSize"/> pages long.</summary>
    /// <param name="database">The database; nothing else may write it.</param>
    /// <param name="pages">Whole page images, each stamped with its number and checksum.</param>
    /// <param name="databaseSize">Pages in the database after the commit, the header included.</param>
    /// <param name="source">What the pages were read from, for the error when one is damaged.</param>
    /// <exception cref="CorruptDatabaseException">A page fails its checksum or is not the page it claims: nothing is applied.</exception>
    /// <exception cref="PageDbIOException">Writing the WAL failed; the database refuses writes until reopened.</exception>
    public static void Apply(PageDatabase database, IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> pages, uint databaseSize, string source)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pages.Count);
        StorageEngine engine = database.Engine;
        foreach ((PageNumber page, ReadOnlyMemory<byte> image) in pages)
        {
            if (image.Length != engine.File.PageSize || page.Value >= databaseSize)
                ThrowHelper.ThrowCorrupt(source, page, $"a replicated page of {image.Length} bytes does not fit a database of {databaseSize} pages of {engine.File.PageSize} bytes");
            PageHeader.Verify(image.Span, page, source);
        }
        engine.ThrowIfNotWritable();
        engine.Gate.Enter(engine.Options.WriteLockTimeout);
        try
        {
            engine.MaintainLog();
            Append(engine, pages, databaseSize);
        }
        finally
        {
            engine.Gate.Exit();
        }
    }

    private static void Append(StorageEngine engine, IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> pages, uint databaseSize)
    {
        try
        {
            for (int i = 0; i < pages.Count - 1; i++)
                engine.Wal.Append(pages[i].Page, pages[i].Image.Span);
            (PageNumber last, ReadOnlyMemory<byte> image) = pages[^1];
            engine.Wal.Commit(last, image.Span, databaseSize, sync: engine.Options.Durability == Durability.Full);
        }
        catch (PageDbIOException e)
        {
            engine.Fail(e);
            throw;
        }
        catch
        {
            engine.Wal.Rollback();
            throw;
        }
    }
}
