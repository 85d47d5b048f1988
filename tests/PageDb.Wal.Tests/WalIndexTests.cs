using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>Snapshot lookups (src/PageDb.Wal/WalIndex.cs), through the log's reader calls.</summary>
public sealed class WalIndexTests
{
    [Test]
    public void Readers_at_different_marks_see_the_versions_of_their_snapshot()
    {
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var random = new Random(11);
        var marks = new List<WalMark> { WalMark.Empty };
        for (int i = 0; i < 6; i++)
            marks.Add(harness.CommitTransaction(model, [(1, Pages.Random(random, 4096, 1)), ((uint)(2 + i % 2), Pages.Random(random, 4096, 2))]));
        for (int commit = 0; commit < marks.Count; commit++)
            harness.AssertState(model.StateAfter(commit), [0, 1, 2, 3], marks[commit], $"commit {commit}");
        Assert.That(harness.Wal.FindFrame(new PageNumber(1), WalMark.Empty), Is.EqualTo(FrameIndex.None));
        Assert.That(harness.Wal.DatabaseSizeAt(marks[3]), Is.EqualTo(4u));
    }

    [Test]
    public void Spilled_frames_are_invisible_to_readers_visible_to_the_writer_and_dropped_on_rollback()
    {
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var random = new Random(5);
        WalMark committed = harness.CommitTransaction(model, [(1, Pages.Random(random, 4096, 1))]);
        var spilled = new Dictionary<uint, byte[]>();
        for (uint page = 1; page <= 40; page++)
        {
            spilled[page] = Pages.Random(random, 4096, page);
            harness.Wal.Append(new PageNumber(page), spilled[page]);
        }
        harness.Wal.Verify();
        Assert.That(harness.Wal.HasUncommittedFrames, Is.True);
        harness.AssertState(model.StateAfter(1), spilled.Keys, harness.Wal.LastCommit, "readers see no spilled frame");
        foreach ((uint page, byte[] image) in spilled)
        {
            FrameIndex own = harness.Wal.FindUncommittedFrame(new PageNumber(page));
            byte[] read = new byte[4096];
            Assert.That(harness.Wal.TryReadFrame(own, read), Is.True);
            Assert.That(read, Is.EqualTo(image), $"spilled page {page}");
        }
        harness.Wal.Rollback();
        harness.Wal.Verify();
        Assert.That(harness.Wal.FindUncommittedFrame(new PageNumber(3)), Is.EqualTo(FrameIndex.None));
        Assert.That(harness.Wal.LastCommit, Is.EqualTo(committed));
        harness.AssertState(model.StateAfter(1), spilled.Keys, harness.Wal.LastCommit, "after rollback");
        harness.CommitTransaction(model, [(2, Pages.Random(random, 4096, 2))]);
        harness.Reopen();
        harness.AssertState(model.StateAfter(2), spilled.Keys, harness.Wal.LastCommit, "rolled-back frames never come back");
    }

    /// <summary>
    /// The committed frames between two marks leave out a rolled-back transaction's, whose entries and indexes the
    /// index keeps: a replica shipping commit by commit must not take them for the next commit's.
    /// </summary>
    [Test]
    public void Committed_frames_between_marks_leave_out_rolled_back_ones()
    {
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var random = new Random(17);
        WalMark first = harness.CommitTransaction(model, [(1, Pages.Random(random, 4096, 1)), (2, Pages.Random(random, 4096, 2))]);
        for (uint page = 1; page <= 12; page++)
            harness.Wal.Append(new PageNumber(page), Pages.Random(random, 4096, page));
        harness.Wal.Rollback();
        WalMark second = harness.CommitTransaction(model, [(2, Pages.Random(random, 4096, 2)), (3, Pages.Random(random, 4096, 3))]);
        harness.Wal.Append(new PageNumber(5), Pages.Random(random, 4096, 5));
        harness.Wal.Rollback();
        WalMark third = harness.CommitTransaction(model, [(1, Pages.Random(random, 4096, 1))]);

        var frames = new List<(FrameIndex Frame, PageNumber Page, uint CommitSize)>();
        harness.Wal.CollectCommittedFrames(first, third, frames);

        var expected = new List<(FrameIndex, PageNumber, uint)>
        {
            (harness.Wal.FindFrame(new PageNumber(2), second), new PageNumber(2), 0),
            (second.LastCommitFrame, new PageNumber(3), harness.Wal.DatabaseSizeAt(second)),
            (third.LastCommitFrame, new PageNumber(1), harness.Wal.DatabaseSizeAt(third)),
        };
        Assert.That(frames, Is.EqualTo(expected));
        Assert.That(frames[0].Frame.Value, Is.GreaterThan(first.LastCommitFrame.Value + 12), "the rolled-back frames came between");
        frames.Clear();
        harness.Wal.CollectCommittedFrames(WalMark.Empty, first, frames);
        Assert.That(frames.Select(f => f.Page.Value), Is.EqualTo(new[] { 1u, 2u }));
    }

    /// <summary>
    /// Random appends, spills, commits, rollbacks, readers beginning and ending, checkpoints and reopens, checked after
    /// every step against the model at every live reader's mark.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void Random_operations_match_the_model_at_every_readers_mark(bool compress)
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using var harness = new WalHarness(compress: compress);
        var model = new CommittedPagesModel();
        var readers = new List<(WalMark Mark, int Commit)>();
        int steps = TestSeed.LongRun ? 20_000 : 1_500;
        const int pageCount = 24;
        for (int step = 0; step < steps; step++)
        {
            string context = $"seed {seed}, step {step}";
            int dice = random.Next(100);
            if (dice < 45)
                AppendRandom(harness, model, random, pageCount);
            else if (dice < 65 && model.Pending.Count > 0)
                CommitRandom(harness, model, random, pageCount);
            else if (dice < 70)
                RollBack(harness, model);
            else if (dice < 80)
                readers.Add((harness.Wal.LastCommit, model.Commits));
            else if (dice < 88 && readers.Count > 0)
                readers.RemoveAt(random.Next(readers.Count));
            else if (dice < 97 && model.Pending.Count == 0)
                Checkpoint(harness, readers, random.Next(4) == 0, context);
            else if (dice < 100 && model.Pending.Count == 0)
            {
                readers.Clear();
                harness.Reopen();
                Assert.That(harness.Wal.Recovery.Commits, Is.LessThanOrEqualTo(model.Commits), context);
            }
            harness.Wal.Verify();
            foreach ((WalMark mark, int commit) in readers)
                harness.AssertState(model.StateAfter(commit), Enumerable.Range(0, pageCount).Select(p => (uint)p), mark, context);
            harness.AssertState(model.StateAfter(model.Commits), Enumerable.Range(0, pageCount).Select(p => (uint)p),
                harness.Wal.LastCommit, context);
        }
    }

    private static void AppendRandom(WalHarness harness, CommittedPagesModel model, Random random, int pageCount)
    {
        uint page = (uint)random.Next(pageCount);
        byte[] image = Pages.Random(random, harness.PageSize, page);
        harness.Wal.Append(new PageNumber(page), image);
        model.Write(page, image);
    }

    private static void CommitRandom(WalHarness harness, CommittedPagesModel model, Random random, int pageCount)
    {
        uint page = (uint)random.Next(pageCount);
        byte[] image = Pages.Random(random, harness.PageSize, page);
        harness.Wal.Commit(new PageNumber(page), image, (uint)pageCount, sync: random.Next(2) == 0);
        model.Write(page, image);
        model.Commit();
    }

    private static void RollBack(WalHarness harness, CommittedPagesModel model)
    {
        harness.Wal.Rollback();
        model.Rollback();
    }

    private static void Checkpoint(WalHarness harness, List<(WalMark Mark, int Commit)> readers, bool truncate, string context)
    {
        WalMark oldest = harness.Wal.LastCommit;
        foreach ((WalMark mark, _) in readers)
            oldest = WalMark.Min(oldest, mark);
        WalCheckpointResult result = harness.Wal.Checkpoint(harness.Database, oldest, truncate);
        Assert.That(result.CheckpointedThrough, Is.GreaterThanOrEqualTo(oldest), context);
        if (result.Restarted)
            Assert.That(oldest, Is.EqualTo(harness.Wal.LastCommit), "a restart while a reader needed old frames: " + context);
    }

    [Test]
    public void A_segment_prepared_ahead_serves_the_writer_without_allocating_one()
    {
        var index = new WalIndex();
        Assert.That(index.NeedsSpareSegment, Is.True);
        index.PrepareSpareSegment();
        Assert.That(index.NeedsSpareSegment, Is.False);
        long before = GC.GetAllocatedBytesForCurrentThread();
        index.Add(new PageNumber(1), fileOffset: 32, storedLength: 100, FrameEncoding.Page, commitSize: 2); // opens the first segment
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1024), "the segment (40 KiB) was the prepared one");
        Assert.That(index.NeedsSpareSegment, Is.True, "taken");
        index.PublishCommit();
        for (int frame = 2; frame <= 3000; frame++) // past the next two segments, each allocated by the writer itself
        {
            index.Add(new PageNumber((uint)(frame % 7 + 1)), fileOffset: 32 + frame, storedLength: 100, FrameEncoding.Page, commitSize: 8);
            index.PublishCommit();
        }
        for (uint page = 1; page <= 7; page++)
            Assert.That(index.Find(new PageNumber(page), index.LastCommit).Value % 7 + 1, Is.EqualTo(page), $"page {page}'s newest frame");
        index.Verify();
    }

    /// <summary>
    /// A generation's page table starts at the size the one before it needed, not at that table's capacity: after a
    /// bulk load of 100,000 distinct pages, a generation that writes 10 pages makes the next one's table small again
    /// (checkpoints and replicator polls scan every slot of it).
    /// </summary>
    [Test]
    public void A_generations_page_table_is_sized_by_the_pages_the_one_before_used()
    {
        var index = new WalIndex();
        long offset = 32;
        for (uint page = 1; page <= 100_000; page++)
            index.Add(new PageNumber(page), offset++, storedLength: 100, FrameEncoding.Page, commitSize: 0);
        index.Add(new PageNumber(0), offset++, storedLength: 100, FrameEncoding.Page, commitSize: 100_001);
        index.PublishCommit();
        int bulkCapacity = index.PageTableCapacity;
        Assert.That(bulkCapacity, Is.GreaterThanOrEqualTo(2 * 100_001), "at most half full");

        index.Switch();
        Assert.That(index.PageTableCapacity, Is.EqualTo(bulkCapacity), "sized for the bulk load's pages, so a second bulk load grows nothing");
        for (uint page = 1; page <= 10; page++)
            index.Add(new PageNumber(page), offset++, storedLength: 100, FrameEncoding.Page, commitSize: page == 10 ? 100_001u : 0);
        index.PublishCommit();
        index.DropOlder();
        index.Switch();
        Assert.That(index.PageTableCapacity, Is.EqualTo(64), "sized for the 10 pages the generation before used");
        for (uint page = 1; page <= 10; page++)
            index.Add(new PageNumber(page), offset++, storedLength: 100, FrameEncoding.Page, commitSize: page == 10 ? 100_001u : 0);
        index.PublishCommit();
        Assert.That(index.PageTableCapacity, Is.EqualTo(64), "10 pages fit without growing");
        index.Verify();

        index.DropOlder();
        index.Restart(file: 0);
        Assert.That(index.PageTableCapacity, Is.EqualTo(64), "a restart sizes the same way");
    }
}
