using PageDb.Core.Pages;
using PageDb.Testing;

namespace PageDb.Wal.Tests;

/// <summary>
/// A read-only open beside another process's writer (<see cref="WalOptions.WrittenByAnotherProcess"/>) recovers the
/// log while the writer goes on committing and switching files: what it recovers must be one snapshot the writer
/// committed. The writer steps in at the exact moment of the reader's recovery chosen by each test (deterministic).
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

    /// <summary>A transaction writing every page.</summary>
    private static List<(uint Page, byte[] Image)> AllPages(Random random, int pageSize) =>
        Enumerable.Range(0, PageCount).Select(page => ((uint)page, Pages.Random(random, pageSize, (uint)page))).ToList();

    /// <summary>Page <paramref name="page"/> in the reader's snapshot (from its log: nothing was checkpointed), or null.</summary>
    private static byte[]? Read(WriteAheadLog reader, uint page)
    {
        FrameIndex frame = reader.FindFrame(new PageNumber(page), reader.LastCommit);
        if (frame.IsNone)
            return null;
        byte[] image = new byte[reader.PageSize];
        Assert.That(reader.TryReadFrame(frame, image), Is.True, $"page {page}'s frame is gone");
        return image;
    }
}
