using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// Applies one commit received from a replica store (whole page images and the database size after it) to a database,
/// as a write transaction would append it: through a <see cref="WriteCycle"/> (<see cref="WriteCycle.CommitReplicated"/>),
/// the one owner of the write path, so it takes the writer slot and runs the log's upkeep as a transaction does, the
/// pages go to the WAL as frames, the last one as the commit frame, and at Durability.Full it shares the group sync;
/// read transactions on the database see the state before or after it, never between. Used by
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
        WriteCycle cycle = engine.WriteCycles.Get();
        cycle.Begin();
        cycle.CommitReplicated(pages, databaseSize);
    }

    /// <summary>
    /// The append of <see cref="Apply"/>, in the Appending state of its <see cref="WriteCycle"/> (which holds the gate
    /// and handles a failure): every page as a frame, the last as the commit frame. Returns the commit's mark, to wait
    /// for at <paramref name="sync"/>.
    /// </summary>
    public static WalMark AppendFrames(WriteAheadLog wal, IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> pages, uint databaseSize, bool sync)
    {
        for (int i = 0; i < pages.Count - 1; i++)
            wal.Append(pages[i].Page, pages[i].Image.Span);
        (PageNumber last, ReadOnlyMemory<byte> image) = pages[^1];
        return wal.AppendCommit(last, image.Span, databaseSize, sync);
    }
}
