using PageDb.Core.Pages;
using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.QuietLog;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// <see cref="CheckpointTarget"/>: what one copy leaves behind must not reach the next. A checkpoint that stops on a
/// damaged frame does not fail the log (<see cref="CorruptDatabaseException"/>), so the engine's one target serves the
/// next checkpoint too; pages are copied in page order, so page 0 of the range (the header to write last) may already
/// be pending when a later page fails.
/// </summary>
public class CheckpointTargetTests
{
    [Test]
    public void A_copy_forgets_the_header_an_aborted_copy_left_pending()
    {
        var storage = new MemoryStorage();
        using PageDatabase db = OpenQuiet(storage);
        Write(db, tx => tx.CreateTree("kv").Put([1], new byte[100]));
        db.Checkpoint(CheckpointMode.Truncate);
        StorageEngine engine = db.Engine;
        byte[] fileHeader = storage.GetContents(DbPath)[..engine.File.PageSize];
        var target = new CheckpointTarget(engine.File, engine.Pool, syncsEnabled: true, engine.Wal);

        // The aborted copy: it took page 0 of its range (another commit's, so another change counter), then stopped.
        byte[] otherCommitsHeader = fileHeader.ToArray();
        new FileHeaderPage(otherCommitsHeader).ChangeCounter += 1000;
        PageHeader.Seal(otherCommitsHeader, PageNumber.Header);
        target.WritePage(PageNumber.Header, otherCommitsHeader);

        Write(db, tx => tx.GetTree("kv").Put([1], new byte[100])); // the same size: a leaf changes, page 0 does not
        Assume.That(engine.Wal.FindFrame(PageNumber.Header, engine.Wal.LastCommit), Is.EqualTo(FrameIndex.None), "the next range has no page 0");
        engine.Wal.Checkpoint(target, engine.Wal.LastCommit);

        Assert.That(storage.GetContents(DbPath)[..engine.File.PageSize], Is.EqualTo(fileHeader),
            "the file's header is its own: the next copy's range has no page 0, and the aborted copy's was not written");
    }
}
