using PageDb.Core.Pages;
using PageDb.Core.Paging;
using PageDb.Engine;
using PageDb.Testing;
using PageDb.Wal;
using static PageDb.Tests.QuietLog;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// <see cref="RecoveredHistory.Read"/>, which a replicating open runs on the log a killed writer left: each commit's
/// fingerprints are those of the images it logged, so the last commit's are the pages the open ends at, and the file
/// pages' are the file's copies before the log is laid over. The replicator continues a generation only when these
/// agree with the opened state page by page (<c>GenerationResume.EndsAt</c>).
/// </summary>
public class RecoveredHistoryTests
{
    private const int PageSize = 4096;

    /// <summary>
    /// Found in review of WAL format 5: a page the file already held, logged once, got the fingerprint of the file's
    /// copy (read into the frame's buffer before the frame was fingerprinted), so a restart after such a commit started
    /// a new generation.
    /// </summary>
    [Test]
    public void A_commit_that_rewrites_a_file_page_once_gets_the_logged_images_fingerprint()
    {
        var storage = new MemoryStorage();
        MemoryStorage crashed;
        List<WalSurgery.Frame> rewrite;
        using (PageDatabase db = OpenQuiet(storage))
        {
            for (int i = 0; i < 60; i++)
                Write(db, tx => tx.GetOrCreateTree("kv").Put(KeyOf(i), new byte[150]));
            db.Checkpoint(CheckpointMode.Truncate); // the file holds every leaf; the log starts empty
            rewrite = FramesOf(storage, () => Write(db, tx => tx.GetTree("kv").Put(KeyOf(3), Enumerable.Repeat((byte)7, 150).ToArray())));
            for (int i = 60; i < 90; i++)
                Write(db, tx => tx.GetTree("kv").Put(KeyOf(i), new byte[150])); // later commits, growing the file
            crashed = CopyOf(storage); // the process dies: nothing checkpointed since the first 60 rows
        }
        byte[] fileBefore = crashed.GetContents(DbPath);
        List<WalSurgery.Frame> logged = WalSurgery.Frames(crashed.GetContents(WalPath), PageSize);
        uint[] once = [.. rewrite.Where(f => !f.IsCount).Select(f => f.Page)
            .Where(p => p != 0 && p < fileBefore.Length / PageSize && logged.Count(f => f.Page == p) == 1)];
        Assert.That(once, Is.Not.Empty, $"the rewrite of row 3 logs no file page that no other frame logs; {Describe(rewrite)}");

        RecoveredHistory history = ReadHistory(crashed);
        using (OpenQuiet(crashed)) // recovers: the open's checkpoint lays the log over the file
        {
        }
        byte[] fileAfter = crashed.GetContents(DbPath);

        Assert.That(history.Complete);
        Assert.That(history.FilePageCount, Is.EqualTo(fileBefore.Length / PageSize));
        Assert.That(history.Commits[^1].PageCount, Is.EqualTo(fileAfter.Length / PageSize));
        var last = new Dictionary<uint, ulong>();
        foreach (RecoveredHistory.Commit commit in history.Commits)
        {
            foreach ((PageNumber page, ulong fingerprint) in commit.Pages)
                last[page.Value] = fingerprint;
        }
        Assert.Multiple(() =>
        {
            foreach (uint page in once)
                Assert.That(last[page], Is.EqualTo(FingerprintOf(fileAfter, page)), $"page {page}, logged once, after the last commit");
            foreach ((uint page, ulong fingerprint) in last)
                Assert.That(fingerprint, Is.EqualTo(FingerprintOf(fileAfter, page)), $"page {page} after the last commit");
            foreach ((uint page, ulong? fingerprint) in history.FilePages)
                Assert.That(fingerprint, Is.EqualTo(FingerprintOf(fileBefore, page)), $"the file's page {page} before the log");
        });
    }

    /// <summary>What a replicating open of <paramref name="storage"/> reads from its log before recovering it.</summary>
    private static RecoveredHistory ReadHistory(MemoryStorage storage)
    {
        using DatabaseFile file = DatabaseFile.Open(storage, DbPath, StorageOpenMode.ReadWrite);
        using WriteAheadLog wal = WriteAheadLog.Open(storage, DbPath, new WalOptions { PageSize = file.PageSize, DatabaseId = file.DatabaseId, DatabasePageCount = file.PageCount });
        return RecoveredHistory.Read(wal, file);
    }

    private static ulong FingerprintOf(byte[] file, uint page) => RecoveredHistory.Fingerprint(file.AsSpan((int)(page * PageSize), PageSize));
}
