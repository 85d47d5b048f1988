using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>
/// A read-only open beside another process's writer (<see cref="WalOptions.WrittenByAnotherProcess"/>) recovers the
/// log while the writer goes on committing and switching files: what it recovers must be one snapshot the writer
/// committed. The writer steps in at the exact moment of the reader's recovery chosen by each test (deterministic):
/// one switch (to a header written ahead) and two switches (forget, switch back into the file being read), and a writer
/// that keeps switching, which bounds the recoveries of one open (by count, then by its timeout).
/// </summary>
public class ReaderBesideWriterTests
{
    private const int PageCount = 6;

    [Test]
    public void A_read_only_open_beside_a_switch_to_a_prepared_file_recovers_one_committed_snapshot()
    {
        var memory = new MemoryStorage();
        using var writer = new WalHarness(storage: memory);
        var model = new CommittedPagesModel();
        var random = new Random(11);
        for (int i = 0; i < 3; i++)
            writer.CommitTransaction(model, Pages.Transaction(random, writer.PageSize, PageCount, maxPages: PageCount));
        writer.Wal.PrepareSwitch(); // the other file's header is written ahead: the switch below writes no header
        long end = writer.Wal.LogBytes;

        // Just after the reader found where the first file ends, the writer commits there, switches (adopting the
        // prepared header) and commits into the second file: read in that order, the second file's commit would follow
        // a gap.
        var reading = new FaultyStorage(memory);
        bool stepped = false;
        reading.AfterRead = (path, offset, _) =>
        {
            if (stepped || path != WalHarness.WalPath || offset != end)
                return;
            stepped = true;
            writer.CommitTransaction(model, AllPages(random, writer.PageSize));
            Assert.That(writer.Wal.TrySwitchFiles(), Is.True, "the writer did not switch");
            writer.CommitTransaction(model, [(1, Pages.Random(random, writer.PageSize, 1))]);
        };
        using var reader = WriteAheadLog.Open(reading, WalHarness.DatabasePath,
            writer.Options with { ReadOnly = true, WrittenByAnotherProcess = true });

        Assert.That(stepped, Is.True, "the writer never stepped in");
        int commits = reader.Recovery.Commits;
        IReadOnlyDictionary<uint, byte[]> expected = model.StateAfter(commits);
        for (uint page = 0; page < PageCount; page++)
        {
            byte[]? actual = Read(reader, page);
            bool same = expected.TryGetValue(page, out byte[]? image) ? actual is not null && actual.AsSpan().SequenceEqual(image) : actual is null;
            Assert.That(same, Is.True, $"page {page} is not as commit {commits} of {model.Commits} left it");
        }
    }

    [Test]
    public void A_read_only_open_during_which_the_writer_switches_twice_recovers_one_committed_snapshot()
    {
        var memory = new MemoryStorage();
        using var writer = new WalHarness(storage: memory);
        var model = new CommittedPagesModel();
        var random = new Random(12);
        for (int i = 0; i < 4; i++)
            writer.CommitTransaction(model, GrowingCommit(random, writer.PageSize, model));
        Assert.That(writer.Wal.TrySwitchFiles(), Is.True, "the writer did not switch");
        // Now -wal holds the older generation (4 commits) and -wal2 the newer one, without a commit yet.

        // The reader reads the empty -wal2 first, then the first frame of -wal (commit 1). Just then the writer forgets
        // -wal's generation (copied into the database file), commits into -wal2, switches back into -wal and commits
        // there over the frames the reader has yet to read: -wal would end after commit 1, a snapshot of commit 1's size
        // whose pages (their frames' header changed: read from the database file) are commit 4's.
        var reading = new FaultyStorage(memory);
        bool stepped = false;
        reading.AfterRead = (path, offset, _) =>
        {
            if (stepped || path != WalHarness.WalPath || offset != WalFormat.HeaderSize + WalFormat.FrameHeaderSize)
                return;
            stepped = true;
            SwitchTwice(writer, model, random);
        };
        using var reader = WriteAheadLog.Open(reading, WalHarness.DatabasePath,
            writer.Options with { ReadOnly = true, WrittenByAnotherProcess = true });

        Assert.That(stepped, Is.True, "the writer never stepped in");
        AssertOneCommittedSnapshot(reader, writer, model);
    }

    [Test]
    public void A_read_only_open_whose_writer_keeps_switching_gives_up_after_a_bounded_number_of_recoveries()
    {
        using var writer = new WriterSwitchingDuringRecoveries(seed: 13, busyRecoveries: int.MaxValue);
        var error = Assert.Throws<DatabaseLockedException>(() => writer.OpenReader(TimeSpan.Zero).Dispose());
        Assert.That(error!.Message, Does.Contain("switched its log files").And.Contain("Open it again"));
        Assert.That(writer.Switches, Is.EqualTo(Recovery.AttemptsBeforeWaiting), "one recovery per double switch, and none after the bound without a timeout");

        // Once the writer stops switching, the next open recovers one committed snapshot.
        writer.StopSwitching();
        using WriteAheadLog reader = writer.OpenReader(TimeSpan.Zero);
        AssertOneCommittedSnapshot(reader, writer.Writer, writer.Model);
    }

    [Test]
    public void A_read_only_open_with_a_timeout_recovers_again_after_the_writer_stops_switching()
    {
        // Two more busy recoveries than are tried without a pause.
        using var writer = new WriterSwitchingDuringRecoveries(seed: 14, busyRecoveries: Recovery.AttemptsBeforeWaiting + 2);
        using WriteAheadLog reader = writer.OpenReader(Timeout.InfiniteTimeSpan);

        Assert.That(writer.Switches, Is.EqualTo(Recovery.AttemptsBeforeWaiting + 2), "the writer did not switch during each busy recovery");
        AssertOneCommittedSnapshot(reader, writer.Writer, writer.Model);
    }

    /// <summary>
    /// A writer with two commits in <c>-wal</c> that switched to <c>-wal2</c>, and storage through which a reader's
    /// recovery makes it switch twice (<see cref="SwitchTwice"/>) each time the recovery reads <c>-wal</c>'s first
    /// frame, during the first <c>busyRecoveries</c> recoveries.
    /// </summary>
    private sealed class WriterSwitchingDuringRecoveries : IDisposable
    {
        private readonly FaultyStorage _reading;
        private readonly Random _random;

        public WriterSwitchingDuringRecoveries(int seed, int busyRecoveries)
        {
            var memory = new MemoryStorage();
            Writer = new WalHarness(storage: memory);
            _random = new Random(seed);
            for (int i = 0; i < 2; i++)
                Writer.CommitTransaction(Model, GrowingCommit(_random, Writer.PageSize, Model));
            Assert.That(Writer.Wal.TrySwitchFiles(), Is.True, "the writer did not switch");
            _reading = new FaultyStorage(memory)
            {
                AfterRead = (path, offset, _) =>
                {
                    if (path != WalHarness.WalPath || offset != WalFormat.HeaderSize || Switches == busyRecoveries)
                        return;
                    Switches++;
                    SwitchTwice(Writer, Model, _random);
                },
            };
        }

        public WalHarness Writer { get; }

        public CommittedPagesModel Model { get; } = new();

        /// <summary>The recoveries during which the writer switched twice.</summary>
        public int Switches { get; private set; }

        /// <summary>Opens the log read-only beside the writer, recovering again for up to <paramref name="timeout"/>.</summary>
        public WriteAheadLog OpenReader(TimeSpan timeout) => WriteAheadLog.Open(_reading, WalHarness.DatabasePath,
            Writer.Options with { ReadOnly = true, WrittenByAnotherProcess = true, BesideWriterTimeout = timeout });

        public void StopSwitching() => _reading.AfterRead = null;

        public void Dispose() => Writer.Dispose();
    }

    /// <summary>
    /// The writer forgets its older generation (copied into the database file first), commits into the newer file, switches
    /// back into the older file and commits there (the two switches a reader's open may see).
    /// </summary>
    private static void SwitchTwice(WalHarness writer, CommittedPagesModel model, Random random)
    {
        Assert.That(writer.Wal.CheckpointOlder(writer.Database, writer.Wal.LastCommit), Is.True, "the older generation was not forgotten");
        writer.CommitTransaction(model, GrowingCommit(random, writer.PageSize, model));
        Assert.That(writer.Wal.TrySwitchFiles(), Is.True, "the writer did not switch back");
        writer.CommitTransaction(model, GrowingCommit(random, writer.PageSize, model));
    }

    /// <summary>
    /// Commit n (from 1) writes page 0 and adds page n - 1, so it records a database of n pages: a snapshot's size names
    /// its commit.
    /// </summary>
    private static List<(uint Page, byte[] Image)> GrowingCommit(Random random, int pageSize, CommittedPagesModel model)
    {
        uint added = (uint)model.Commits;
        var pages = new List<(uint Page, byte[] Image)> { (0, Pages.Random(random, pageSize, 0)) };
        if (added != 0)
            pages.Add((added, Pages.Random(random, pageSize, added)));
        return pages;
    }

    /// <summary>
    /// The reader's snapshot (frames of its log, else the writer's database file) is the state after the commit its
    /// database size names (<see cref="GrowingCommit"/>), page by page.
    /// </summary>
    private static void AssertOneCommittedSnapshot(WriteAheadLog reader, WalHarness writer, CommittedPagesModel model)
    {
        int commit = (int)reader.DatabaseSizeAt(reader.LastCommit);
        Assert.That(commit, Is.InRange(1, model.Commits), "the snapshot's database size names no commit");
        IReadOnlyDictionary<uint, byte[]> expected = model.StateAfter(commit);
        for (uint page = 0; page < model.Commits; page++)
        {
            byte[]? actual = Read(reader, page, allowRestarted: true) ?? writer.Database.Pages.GetValueOrDefault(page);
            bool same = expected.TryGetValue(page, out byte[]? image) ? actual is not null && actual.AsSpan().SequenceEqual(image) : actual is null;
            Assert.That(same, Is.True, $"page {page} is not as commit {commit} (the snapshot's database size) of {model.Commits} left it");
        }
    }

    /// <summary>A transaction writing every page.</summary>
    private static List<(uint Page, byte[] Image)> AllPages(Random random, int pageSize) =>
        Enumerable.Range(0, PageCount).Select(page => ((uint)page, Pages.Random(random, pageSize, (uint)page))).ToList();

    /// <summary>
    /// Page <paramref name="page"/> in the reader's snapshot from its log, or null (not in the log, or, when
    /// <paramref name="allowRestarted"/>, its frame's file since given a new header: read the database file).
    /// </summary>
    private static byte[]? Read(WriteAheadLog reader, uint page, bool allowRestarted = false)
    {
        FrameIndex frame = reader.FindFrame(new PageNumber(page), reader.LastCommit);
        if (frame.IsNone)
            return null;
        byte[] image = new byte[reader.PageSize];
        bool read = reader.TryReadFrame(frame, image);
        if (!read && allowRestarted)
            return null;
        Assert.That(read, Is.True, $"page {page}'s frame is gone");
        return image;
    }
}
