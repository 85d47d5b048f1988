using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>Checkpoint and restart (src/PageDb.Wal/Checkpointer.cs and WriteAheadLog.Checkpoint).</summary>
public sealed class CheckpointerTests
{
    [Test]
    public void The_log_does_not_grow_without_bound_when_checkpoints_run_between_commits()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var storage = (MemoryStorage)harness.Storage;
        long maxLog = 0;
        for (int i = 0; i < 600; i++)
        {
            harness.CommitTransaction(model, Pages.Transaction(random, 4096, 50, 3));
            maxLog = Math.Max(maxLog, harness.Wal.LogBytes);
            if (i % 20 == 19)
                Assert.That(harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit).Restarted, Is.True, $"seed {seed}");
        }
        long framesBetweenCheckpoints = 20 * 3 * WalFormat.FrameSize(4096);
        Assert.That(maxLog, Is.LessThanOrEqualTo(WalFormat.HeaderSize + framesBetweenCheckpoints), $"seed {seed}");
        Assert.That(storage.GetContents(WalHarness.WalPath).Length, Is.LessThanOrEqualTo(framesBetweenCheckpoints + 64 * 1024),
            $"seed {seed}: the file reuses its space");
        Assert.That(harness.Wal.CheckpointSequence, Is.EqualTo(31UL));
    }

    [Test]
    public void After_a_checkpoint_the_database_has_the_newest_committed_pages_and_size()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        for (int i = 0; i < 30; i++)
            harness.CommitTransaction(model, Pages.Transaction(random, 4096, 20, 4));
        WalCheckpointResult result = harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit);
        Assert.That(result.IsComplete && result.Restarted, Is.True);
        Assert.That(result.PagesCopied, Is.EqualTo(model.AllPages.Count));
        Assert.That(harness.Database.Syncs, Is.EqualTo(1));
        Assert.That(harness.Database.PageCount, Is.EqualTo(model.AllPages.Max() + 1));
        foreach ((uint page, byte[] image) in model.StateAfter(model.Commits))
            Assert.That(harness.Database.Pages[page], Is.EqualTo(image), $"seed {seed}, page {page}");
        Assert.That(harness.Wal.DatabaseSizeAt(harness.Wal.LastCommit), Is.Zero, "after a restart the database file's size applies");
    }

    [Test]
    public void An_older_reader_limits_the_copy_and_prevents_the_restart()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        for (int i = 0; i < 5; i++)
            harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3));
        WalMark reader = harness.Wal.LastCommit;
        for (int i = 0; i < 5; i++)
            harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3));

        WalCheckpointResult partial = harness.Wal.Checkpoint(harness.Database, reader);
        Assert.That(partial.Restarted || partial.IsComplete, Is.False);
        Assert.That(partial.CheckpointedThrough, Is.EqualTo(reader));
        foreach ((uint page, byte[] image) in model.StateAfter(5))
            Assert.That(harness.Database.Pages[page], Is.EqualTo(image), $"seed {seed}: the database holds the reader's snapshot");
        harness.AssertState(model.StateAfter(5), Enumerable.Range(0, 8).Select(p => (uint)p), reader, $"seed {seed}");
        harness.AssertState(model.StateAfter(10), Enumerable.Range(0, 8).Select(p => (uint)p), harness.Wal.LastCommit, $"seed {seed}");

        Assert.That(harness.Wal.Checkpoint(harness.Database, reader).PagesCopied, Is.Zero, "nothing more to copy for that reader");
        WalCheckpointResult full = harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit);
        Assert.That(full.IsComplete && full.Restarted, Is.True);
        harness.AssertState(model.StateAfter(10), Enumerable.Range(0, 8).Select(p => (uint)p), harness.Wal.LastCommit, $"seed {seed}");
    }

    [Test]
    public void Readers_that_always_overlap_make_the_log_alternate_between_its_two_files()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var marks = new List<WalMark>();
        IEnumerable<uint> pages = Enumerable.Range(0, 8).Select(p => (uint)p);
        for (int round = 0; round < 6; round++)
        {
            for (int i = 0; i < 3; i++)
                marks.Add(harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3)));
            // The reader of the round before is always still open: the log can never restart in place.
            WalMark oldest = marks[Math.Max(0, marks.Count - 4)];
            WalCheckpointResult result = harness.Wal.Checkpoint(harness.Database, oldest);
            Assert.That(result.Restarted, Is.False, $"seed {seed}, round {round}");
            Assert.That(result.CheckpointedThrough, Is.EqualTo(oldest), $"seed {seed}, round {round}");
            harness.Wal.Verify();
            for (int m = Math.Max(0, marks.Count - 4); m < marks.Count; m++)
                harness.AssertState(model.StateAfter(m + 1), pages, marks[m], $"seed {seed}, round {round}, mark {m}");
            Assert.That(harness.Storage.Exists(WalHarness.WalPath + "2"), Is.True, $"seed {seed}: the first held-back checkpoint switched files");
            Assert.That(harness.Wal.TotalBytes, Is.LessThan(2 * (WalFormat.HeaderSize + 6L * WalFormat.FrameSize(4096))),
                $"seed {seed}, round {round}: the log holds the last round only");
        }

        harness.Reopen();
        harness.AssertState(model.StateAfter(model.Commits), pages, harness.Wal.LastCommit, $"seed {seed}: both files recovered in order");
        WalCheckpointResult full = harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit);
        Assert.That(full.IsComplete && full.Restarted, Is.True, $"seed {seed}");
        foreach ((uint page, byte[] image) in model.StateAfter(model.Commits))
            Assert.That(harness.Database.Pages[page], Is.EqualTo(image), $"seed {seed}, page {page}");
    }

    [Test]
    public void Uncommitted_frames_prevent_the_restart()
    {
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        harness.CommitTransaction(model, Pages.Transaction(new Random(2), 4096, 8, 3));
        harness.Wal.Append(new PageNumber(1), new byte[4096]);
        WalCheckpointResult result = harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit);
        Assert.That(result.IsComplete, Is.True);
        Assert.That(result.Restarted, Is.False);
    }

    [Test]
    public void A_reader_at_the_last_commit_falls_back_to_the_database_after_a_restart()
    {
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var random = new Random(4);
        harness.CommitTransaction(model, [(3, Pages.Random(random, 4096, 3))]);
        WalMark reader = harness.Wal.LastCommit;
        FrameIndex frame = harness.Wal.FindFrame(new PageNumber(3), reader);
        Assert.That(harness.Wal.Checkpoint(harness.Database, reader).Restarted, Is.True);
        harness.CommitTransaction(model, [(3, Pages.Random(random, 4096, 3))]);
        Assert.That(harness.Wal.TryReadFrame(frame, new byte[4096]), Is.False, "the frame's space was reused");
        Assert.That(harness.Wal.FindFrame(new PageNumber(3), reader), Is.EqualTo(FrameIndex.None));
        harness.AssertState(model.StateAfter(1), [3], reader, "old reader");
        harness.AssertState(model.StateAfter(2), [3], harness.Wal.LastCommit, "new reader");
    }

    [Test]
    public void Truncate_shrinks_the_file_to_its_header_and_the_log_continues()
    {
        var random = new Random(9);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var storage = (MemoryStorage)harness.Storage;
        for (int i = 0; i < 10; i++)
            harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3));
        Assert.That(harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit, truncate: true).Restarted, Is.True);
        Assert.That(storage.GetContents(WalHarness.WalPath).Length, Is.EqualTo(WalFormat.HeaderSize));
        harness.CommitTransaction(model, Pages.Transaction(random, 4096, 8, 3));
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.EqualTo(1));
        harness.AssertState(model.StateAfter(model.Commits), Enumerable.Range(0, 8).Select(p => (uint)p), harness.Wal.LastCommit, "");
    }
}
