using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>Failed writes and syncs poison the log (src/PageDb.Wal/WalWriter.cs).</summary>
public sealed class FailureTests
{
    [Test]
    public void A_failed_sync_poisons_the_log_publishes_nothing_and_is_never_retried()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        using var harness = new WalHarness(storage: faulty);
        var model = new CommittedPagesModel();
        var random = new Random(1);
        WalMark committed = harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3), sync: true);
        faulty.FailSyncs = true;
        var pages = Pages.Transaction(random, 4096, 8, 1);
        Assert.Throws<PageDbIOException>(() => harness.Wal.Commit(new PageNumber(pages[0].Page), pages[0].Image, 8, sync: true));
        Assert.That(harness.Wal.IsFailed, Is.True);
        Assert.That(harness.Wal.LastCommit, Is.EqualTo(committed), "a commit whose sync failed is not published");
        int failedSyncs = faulty.FailedSyncs;
        faulty.FailSyncs = false;
        Assert.Throws<PageDbIOException>(() => harness.Wal.Append(new PageNumber(1), new byte[4096]));
        Assert.Throws<PageDbIOException>(() => harness.Wal.Commit(new PageNumber(1), new byte[4096], 8, sync: true));
        Assert.Throws<PageDbIOException>(() => harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit));
        Assert.That(faulty.FailedSyncs, Is.EqualTo(failedSyncs), "no sync is attempted after a failed one");
        harness.AssertState(model.StateAfter(1), Enumerable.Range(0, 8).Select(p => (uint)p), harness.Wal.LastCommit, "readers still work");

        harness.Reopen();
        Assert.That(harness.Wal.IsFailed, Is.False, "reopening recovers");
        Assert.That(harness.Wal.Recovery.Commits, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void A_failed_write_poisons_the_log()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        using var harness = new WalHarness(storage: faulty);
        var model = new CommittedPagesModel();
        var random = new Random(2);
        harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3));
        faulty.WritesBeforeFailure = faulty.Writes;
        var pages = Pages.Transaction(random, 4096, 8, 1);
        Assert.Throws<PageDbIOException>(() => harness.Wal.Commit(new PageNumber(pages[0].Page), pages[0].Image, 8, sync: false));
        faulty.WritesBeforeFailure = null;
        Assert.That(harness.Wal.IsFailed, Is.True);
        Assert.Throws<PageDbIOException>(() => harness.Wal.Append(new PageNumber(1), new byte[4096]));
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.EqualTo(1));
        harness.AssertState(model.StateAfter(1), Enumerable.Range(0, 8).Select(p => (uint)p), harness.Wal.LastCommit, "after reopen");
    }

    [Test]
    public void A_failed_database_sync_during_a_checkpoint_poisons_the_log_and_prevents_the_restart()
    {
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        harness.CommitTransaction(model, Pages.Transaction(new Random(3), 4096, 8, 3));
        harness.Database.FailSync = true;
        Assert.Throws<PageDbIOException>(() => harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit));
        Assert.That(harness.Wal.IsFailed, Is.True);
        Assert.That(harness.Wal.CheckpointedThrough, Is.EqualTo(WalMark.Empty));
        Assert.That(harness.Wal.CheckpointSequence, Is.EqualTo(1UL), "no restart after a failed database sync");
    }

    [Test]
    public void A_reader_whose_frame_is_overwritten_by_a_restart_mid_read_is_sent_to_the_database()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        using var harness = new WalHarness(storage: faulty);
        var model = new CommittedPagesModel();
        var random = new Random(4);
        harness.CommitTransaction(model, [(3, Pages.Random(random, 4096, 3))]);
        WalMark reader = harness.Wal.LastCommit;
        FrameIndex frame = harness.Wal.FindFrame(new PageNumber(3), reader);
        faulty.HookOffset = WalFormat.HeaderSize;
        faulty.OnNextHookedRead = () =>
        {
            Assert.That(harness.Wal.Checkpoint(harness.Database, reader).Restarted, Is.True);
            harness.CommitTransaction(model, [(3, Pages.Random(random, 4096, 3))]);
        };
        Assert.That(harness.Wal.TryReadFrame(frame, new byte[4096]), Is.False, "the bytes read may belong to the new generation");
        Assert.That(harness.Database.Pages[3], Is.EqualTo(model.StateAfter(1)[3]));
    }

    [Test]
    public void Syncs_follow_the_options()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        using var none = new WalHarness(storage: faulty, syncEnabled: false);
        var model = new CommittedPagesModel();
        for (int i = 0; i < 5; i++)
            none.CommitTransaction(model, Pages.Transaction(new Random(i), 4096, 8, 3), sync: true);
        none.Wal.Checkpoint(none.Database, none.Wal.LastCommit);
        Assert.That(faulty.Syncs + none.Database.Syncs, Is.Zero, "SyncEnabled = false never syncs");

        var counted = new FaultyStorage(new MemoryStorage());
        using var full = new WalHarness(storage: counted);
        int afterOpen = counted.Syncs;
        int fullAfterOpen = counted.FullSyncs;
        full.CommitTransaction(model, Pages.Transaction(new Random(9), 4096, 8, 1), sync: true);
        int afterFirst = counted.Syncs;
        full.CommitTransaction(model, Pages.Transaction(new Random(10), 4096, 8, 1), sync: true);
        Assert.That(afterFirst - afterOpen, Is.EqualTo(1), "the first commit grows the file, and its one sync is a full one");
        Assert.That(counted.FullSyncs - fullAfterOpen, Is.EqualTo(1), "the first commit grows the file, and its one sync is a full one");
        Assert.That(counted.Syncs - afterFirst, Is.EqualTo(1), "a commit in preallocated space is one data sync");
        Assert.That(counted.FullSyncs - fullAfterOpen, Is.EqualTo(1), "a commit in preallocated space is one data sync");
        full.CommitTransaction(model, Pages.Transaction(new Random(11), 4096, 8, 1), sync: false);
        Assert.That(counted.Syncs - afterFirst, Is.EqualTo(1), "sync: false does not sync");
    }

    [Test]
    public void A_commit_without_sync_that_grows_the_file_does_not_sync_and_the_next_sync_is_full()
    {
        var counted = new FaultyStorage(new MemoryStorage());
        using var wal = new WalHarness(storage: counted);
        var model = new CommittedPagesModel();
        int before = counted.Syncs;
        for (int i = 0; i < 40; i++) // 40 commits of 1-4 random pages: at least 160 KiB, past two 64 KiB growth steps
            wal.CommitTransaction(model, Pages.Transaction(new Random(i), 4096, 8, 4), sync: false);
        Assert.That(counted.Syncs, Is.EqualTo(before), "growing the file made a commit without sync wait for a sync");

        int fullBefore = counted.FullSyncs;
        wal.CommitTransaction(model, Pages.Transaction(new Random(99), 4096, 8, 1), sync: true);
        Assert.That(counted.Syncs - before, Is.EqualTo(1));
        Assert.That(counted.FullSyncs - fullBefore, Is.EqualTo(1), "the sync after growth includes the new size");
        wal.CommitTransaction(model, Pages.Transaction(new Random(100), 4096, 8, 1), sync: true);
        Assert.That(counted.FullSyncs - fullBefore, Is.EqualTo(1), "a sync with no growth since the last is a data sync");
    }

    [Test]
    public void A_growth_ahead_of_the_writer_syncs_nothing_and_the_next_sync_is_full()
    {
        var counted = new FaultyStorage(new MemoryStorage());
        using var wal = new WalHarness(storage: counted);
        var model = new CommittedPagesModel();
        for (int i = 0; !wal.Wal.NeedsGrowthAhead; i++) // half way into the first 64 KiB step
            wal.CommitTransaction(model, Pages.Transaction(new Random(i), 4096, 8, 1), sync: i == 0);
        int syncsBefore = counted.Syncs;
        int fullBefore = counted.FullSyncs;

        wal.Wal.GrowAhead();
        Assert.That(wal.Wal.NeedsGrowthAhead, Is.False, "the file grew a step");
        Assert.That(counted.Syncs, Is.EqualTo(syncsBefore), "the growth (on the background thread) waits for no sync");

        wal.CommitTransaction(model, Pages.Transaction(new Random(99), 4096, 8, 1), sync: true);
        Assert.That(counted.FullSyncs - fullBefore, Is.EqualTo(1), "the first sync after the growth includes the new size");
        wal.CommitTransaction(model, Pages.Transaction(new Random(100), 4096, 8, 1), sync: true);
        Assert.That(counted.FullSyncs - fullBefore, Is.EqualTo(1), "a sync with no growth since the last is a data sync");
        wal.Reopen();
        wal.AssertState(model.StateAfter(model.Commits), model.AllPages, wal.Wal.LastCommit, "every commit in and after the grown step recovered");
    }
}
