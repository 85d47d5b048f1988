using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>Recovery (src/PageDb.Wal/Recovery.cs): a damaged log recovers exactly the last complete commit before the damage.</summary>
public sealed class RecoveryTests
{
    private const int PageCount = 12;

    /// <summary>Writes <paramref name="transactions"/> random transactions; returns the model and the log's end after each commit.</summary>
    private static (WalHarness Harness, CommittedPagesModel Model, List<long> CommitEnds) WriteLog(
        Random random, int transactions, bool compress)
    {
        var harness = new WalHarness(compress: compress);
        var model = new CommittedPagesModel();
        var ends = new List<long> { WalFormat.HeaderSize };
        for (int i = 0; i < transactions; i++)
        {
            harness.CommitTransaction(model, Pages.Transaction(random, harness.PageSize, PageCount, 4));
            ends.Add(harness.Wal.LogBytes);
        }
        return (harness, model, ends);
    }

    /// <summary>The number of commits whose frames all lie before <paramref name="length"/>.</summary>
    private static int CommitsWithin(List<long> commitEnds, long length) => commitEnds.Count(end => end <= length) - 1;

    /// <summary>Recovers <paramref name="walBytes"/> into a fresh storage and checks it against the model, twice (idempotence).</summary>
    private static void AssertRecovers(byte[] walBytes, CommittedPagesModel model, int expectedCommits, bool compress, string context)
    {
        var storage = new MemoryStorage();
        storage.SetContents(WalHarness.WalPath, walBytes);
        using (var first = new WalHarness(compress: compress, storage: storage))
        {
            first.Wal.Verify();
            Assert.That(first.Wal.Recovery.Commits, Is.EqualTo(expectedCommits), context);
            first.AssertState(model.StateAfter(expectedCommits), Enumerable.Range(0, PageCount).Select(p => (uint)p),
                first.Wal.LastCommit, context);
        }
        byte[] afterFirst = storage.GetContents(WalHarness.WalPath);
        using var second = new WalHarness(compress: compress, storage: storage);
        Assert.That(second.Wal.Recovery.Commits, Is.EqualTo(expectedCommits), "second recovery: " + context);
        second.AssertState(model.StateAfter(expectedCommits), Enumerable.Range(0, PageCount).Select(p => (uint)p),
            second.Wal.LastCommit, "second recovery: " + context);
        Assert.That(storage.GetContents(WalHarness.WalPath), Is.EqualTo(afterFirst), "recovery must not write: " + context);
    }

    /// <summary>Frame start offsets in a log file, found by walking frame headers that carry the header's salts.</summary>
    private static List<long> FrameStarts(byte[] wal, int pageSize)
    {
        var header = new WalHeader(wal);
        var starts = new List<long>();
        long offset = WalFormat.HeaderSize;
        while (offset + WalFormat.FrameHeaderSize <= wal.Length)
        {
            var frame = new WalFrameHeader(wal.AsSpan((int)offset));
            if (frame.Salt1 != header.Salt1 || frame.Salt2 != header.Salt2)
                break;
            starts.Add(offset);
            offset += WalFormat.FrameSize(frame.StoredLength(pageSize));
        }
        starts.Add(offset);
        return starts;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Truncation_at_every_frame_boundary_and_inside_frames_recovers_the_last_complete_commit(bool compress)
    {
        int seed = TestSeed.Next();
        var (harness, model, ends) = WriteLog(new Random(seed), transactions: 10, compress);
        byte[] wal = ((MemoryStorage)harness.Storage).GetContents(WalHarness.WalPath);
        harness.Dispose();
        foreach (long start in FrameStarts(wal, 4096))
        {
            foreach (long cut in new[] { start, start + 1, start + WalFormat.FrameHeaderSize - 1, start + WalFormat.FrameHeaderSize + 100 })
            {
                if (cut > wal.Length)
                    continue;
                AssertRecovers(wal[..(int)cut], model, CommitsWithin(ends, cut), compress, $"seed {seed}, cut at {cut}");
            }
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_garbled_byte_in_any_frame_recovers_the_commits_before_that_frame(bool compress)
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var (harness, model, ends) = WriteLog(random, transactions: 10, compress);
        byte[] wal = ((MemoryStorage)harness.Storage).GetContents(WalHarness.WalPath);
        harness.Dispose();
        List<long> starts = FrameStarts(wal, 4096);
        for (int i = 0; i < starts.Count - 1; i++)
        {
            byte[] damaged = (byte[])wal.Clone();
            int at = (int)starts[i] + random.Next((int)(starts[i + 1] - starts[i]));
            damaged[at] ^= (byte)(1 << random.Next(8));
            AssertRecovers(damaged, model, CommitsWithin(ends, starts[i]), compress, $"seed {seed}, frame {i}, byte {at}");
        }
    }

    [Test]
    public void Frames_of_an_earlier_generation_are_never_replayed_after_a_restart()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        for (int i = 0; i < 8; i++)
            harness.CommitTransaction(model, Pages.Transaction(random, harness.PageSize, PageCount, 4));
        var storage = (MemoryStorage)harness.Storage;
        byte[] firstGeneration = storage.GetContents(WalHarness.WalPath);

        Assert.That(harness.Wal.Checkpoint(harness.Database, harness.Wal.LastCommit).Restarted, Is.True, $"seed {seed}");
        byte[] justRestarted = storage.GetContents(WalHarness.WalPath);
        harness.CommitTransaction(model, Pages.Transaction(random, harness.PageSize, PageCount, 1));
        byte[] secondGeneration = storage.GetContents(WalHarness.WalPath);

        // The second generation's one frame, followed by the first generation's stale frames: only it counts.
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.EqualTo(1), $"seed {seed}");
        harness.AssertState(model.StateAfter(model.Commits), AllPages(), harness.Wal.LastCommit, $"seed {seed}");

        // A crash right after the restart header: the log is empty and the database holds everything.
        storage.SetContents(WalHarness.WalPath, justRestarted);
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.Zero, $"seed {seed}");
        harness.AssertState(model.StateAfter(model.Commits - 1), AllPages(), harness.Wal.LastCommit, $"seed {seed}");

        // The old generation's frames under the new header, and the new frames under the old header: nothing replays.
        byte[] mixed = (byte[])firstGeneration.Clone();
        secondGeneration.AsSpan(0, WalFormat.HeaderSize).CopyTo(mixed);
        storage.SetContents(WalHarness.WalPath, mixed);
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.Zero, $"seed {seed}");
        byte[] oldHeader = (byte[])secondGeneration.Clone();
        firstGeneration.AsSpan(0, WalFormat.HeaderSize).CopyTo(oldHeader);
        storage.SetContents(WalHarness.WalPath, oldHeader);
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.Zero, $"seed {seed}");
    }

    [Test]
    public void Appending_after_recovery_overwrites_the_ignored_tail_and_survives_another_recovery()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        var (harness, model, ends) = WriteLog(random, transactions: 6, compress: false);
        var storage = (MemoryStorage)harness.Storage;
        byte[] wal = storage.GetContents(WalHarness.WalPath);
        int keep = 3;
        storage.SetContents(WalHarness.WalPath, wal.AsSpan(0, (int)((ends[keep] + ends[keep + 1]) / 2)));
        harness.Reopen();
        model.TruncateTo(keep);
        Assert.That(harness.Wal.Recovery.Commits, Is.EqualTo(keep), $"seed {seed}");
        for (int i = 0; i < 3; i++)
            harness.CommitTransaction(model, Pages.Transaction(random, harness.PageSize, PageCount, 4));
        harness.Reopen();
        Assert.That(harness.Wal.Recovery.Commits, Is.EqualTo(keep + 3), $"seed {seed}");
        harness.AssertState(model.StateAfter(model.Commits), AllPages(), harness.Wal.LastCommit, $"seed {seed}");
        harness.Dispose();
    }

    [Test]
    public void A_frame_rewritten_after_recovery_differs_from_the_one_it_replaces()
    {
        var random = new Random(7);
        using var harness = new WalHarness();
        var model = new CommittedPagesModel();
        var transaction = Pages.Transaction(random, harness.PageSize, PageCount, 1);
        harness.CommitTransaction(model, transaction);
        var storage = (MemoryStorage)harness.Storage;
        byte[] before = storage.GetContents(WalHarness.WalPath);
        storage.SetContents(WalHarness.WalPath, before.AsSpan(0, WalFormat.HeaderSize));
        harness.Reopen();
        harness.CommitTransaction(model, transaction);
        byte[] after = storage.GetContents(WalHarness.WalPath);
        var frameBefore = new WalFrameHeader(before.AsSpan(WalFormat.HeaderSize));
        var frameAfter = new WalFrameHeader(after.AsSpan(WalFormat.HeaderSize));
        Assert.That(frameAfter.Checksum, Is.Not.EqualTo(frameBefore.Checksum),
            "the writer nonce must change after recovery, or stale frames after a rewritten prefix could rejoin the chain");
    }

    [Test]
    public void A_damaged_header_is_reported_as_corruption()
    {
        using var harness = new WalHarness();
        harness.CommitTransaction(new CommittedPagesModel(), Pages.Transaction(new Random(1), harness.PageSize, PageCount, 2));
        var storage = (MemoryStorage)harness.Storage;
        byte[] wal = storage.GetContents(WalHarness.WalPath);
        for (int at = 0; at < WalFormat.HeaderSize; at += 7)
        {
            byte[] damaged = (byte[])wal.Clone();
            damaged[at] ^= 0x10;
            storage.SetContents(WalHarness.WalPath, damaged);
            Assert.Throws<CorruptDatabaseException>(() => WriteAheadLog.Open(storage, WalHarness.DatabasePath, harness.Options),
                $"byte {at}");
        }
    }

    [Test]
    public void A_log_of_another_database_is_discarded_and_a_short_or_zero_file_is_a_new_log()
    {
        using var harness = new WalHarness();
        harness.CommitTransaction(new CommittedPagesModel(), Pages.Transaction(new Random(1), harness.PageSize, PageCount, 2));
        var storage = (MemoryStorage)harness.Storage;
        byte[] wal = storage.GetContents(WalHarness.WalPath);
        harness.Wal.Dispose();

        using (var foreign = WriteAheadLog.Open(storage, WalHarness.DatabasePath, harness.Options with { DatabaseId = 99 }))
        {
            Assert.That(foreign.Recovery.ForeignLogDiscarded, Is.True);
            Assert.That(foreign.LastCommit, Is.EqualTo(WalMark.Empty));
        }
        Assert.That(new WalHeader(storage.GetContents(WalHarness.WalPath)).DatabaseId, Is.EqualTo(99UL), "the foreign log is replaced");

        storage.SetContents(WalHarness.WalPath, wal);
        Assert.Throws<CorruptDatabaseException>(
            () => WriteAheadLog.Open(storage, WalHarness.DatabasePath, harness.Options with { PageSize = 8192 }));

        foreach (byte[] empty in new[] { wal[..20], new byte[10_000] })
        {
            storage.SetContents(WalHarness.WalPath, empty);
            using var fresh = WriteAheadLog.Open(storage, WalHarness.DatabasePath, harness.Options);
            Assert.That(fresh.Recovery.Commits, Is.Zero);
            Assert.That(fresh.LastCommit, Is.EqualTo(WalMark.Empty));
        }
    }

    [Test]
    public void A_read_only_log_recovers_without_writing()
    {
        var random = new Random(3);
        var (harness, model, _) = WriteLog(random, transactions: 4, compress: false);
        var storage = (MemoryStorage)harness.Storage;
        harness.Wal.Dispose();
        byte[] before = storage.GetContents(WalHarness.WalPath);
        using var readOnly = WriteAheadLog.Open(storage, WalHarness.DatabasePath, harness.Options with { ReadOnly = true });
        Assert.That(readOnly.Recovery.Commits, Is.EqualTo(4));
        Assert.That(storage.GetContents(WalHarness.WalPath), Is.EqualTo(before));
        Assert.Throws<InvalidOperationException>(() => readOnly.Append(new Core.Pages.PageNumber(1), new byte[4096]));
        using var missing = WriteAheadLog.Open(new MemoryStorage(), WalHarness.DatabasePath, harness.Options with { ReadOnly = true });
        Assert.That(missing.LastCommit, Is.EqualTo(WalMark.Empty));
    }

    private static IEnumerable<uint> AllPages() => Enumerable.Range(0, PageCount).Select(p => (uint)p);
}
