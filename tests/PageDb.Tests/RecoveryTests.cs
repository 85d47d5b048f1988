using PageDb.Wal;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// Recovery through the whole engine: a WAL cut or damaged anywhere reopens as exactly the last commit whose frames
/// are all intact, and the database passes its integrity check.
/// </summary>
public class RecoveryTests
{
    private const int FrameSize = WalFormat.FrameHeaderSize + 4096;

    [Test]
    public void A_WAL_cut_at_any_frame_boundary_or_inside_a_frame_recovers_the_last_whole_commit()
    {
        (MemoryStorage storage, List<(long WalEnd, int Rows)> commits) = DatabaseWithCommitsOnlyInTheWal(12);
        byte[] database = storage.GetContents(DbPath);
        byte[] wal = storage.GetContents(WalPath);
        long lastEnd = commits[^1].WalEnd;
        for (long cut = WalFormat.HeaderSize; cut <= lastEnd; cut += FrameSize / 3)
        {
            int expected = commits.Where(c => c.WalEnd <= cut).Select(c => c.Rows).DefaultIfEmpty(0).Max();
            AssertReopensWith(database, wal.AsSpan(0, (int)cut).ToArray(), expected, $"WAL cut at byte {cut}");
        }
    }

    [Test]
    public void A_garbled_byte_in_any_frame_recovers_the_commits_before_that_frame()
    {
        (MemoryStorage storage, List<(long WalEnd, int Rows)> commits) = DatabaseWithCommitsOnlyInTheWal(8);
        byte[] database = storage.GetContents(DbPath);
        byte[] wal = storage.GetContents(WalPath);
        long lastEnd = commits[^1].WalEnd;
        var rng = new Random(5);
        foreach ((long frameStart, int frameLength) in Frames(wal, lastEnd))
        {
            byte[] damaged = (byte[])wal.Clone();
            damaged[frameStart + rng.Next(frameLength)] ^= (byte)(1 << rng.Next(8));
            int expected = commits.Where(c => c.WalEnd <= frameStart).Select(c => c.Rows).DefaultIfEmpty(0).Max();
            AssertReopensWith(database, damaged, expected, $"byte garbled in the frame at {frameStart}");
        }
    }

    private const string WalPath = DbPath + "-wal";

    /// <summary>Where each frame up to <paramref name="end"/> starts and how long it is (frames are stored at different lengths).</summary>
    private static List<(long Start, int Length)> Frames(byte[] wal, long end)
    {
        var frames = new List<(long, int)>();
        for (long start = WalFormat.HeaderSize; start < end;)
        {
            int stored = new WalFrameHeader(wal.AsSpan((int)start)).StoredLength(4096);
            Assert.That(stored, Is.Positive, $"a well-formed frame header at {start}");
            frames.Add((start, WalFormat.FrameSize(stored)));
            start += WalFormat.FrameSize(stored);
        }
        return frames;
    }

    /// <summary>
    /// A database whose commits are all still in the WAL (an open old reader kept every checkpoint from copying
    /// them), with the WAL's logical end after each commit and the row count it committed.
    /// </summary>
    private static (MemoryStorage Storage, List<(long WalEnd, int Rows)> Commits) DatabaseWithCommitsOnlyInTheWal(int commitCount)
    {
        var storage = new MemoryStorage();
        var options = new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Storage = storage, CheckpointThresholdBytes = 1L << 30 };
        var commits = new List<(long, int)>();
        PageDatabase db = PageDatabase.Open(DbPath, options);
        using (WriteTransaction tx = db.BeginWrite())
        {
            tx.CreateTree("t");
            tx.Commit();
        }
        db.Checkpoint(CheckpointMode.Truncate);
        ReadTransaction holdsTheWal = db.BeginRead();
        int rows = 0;
        for (int i = 0; i < commitCount; i++)
        {
            using WriteTransaction tx = db.BeginWrite();
            Tree t = tx.GetTree("t");
            for (int j = 0; j <= i % 3; j++)
                t.Put(Bytes($"row{rows++:D5}"), new byte[300]);
            tx.Commit();
            commits.Add((db.GetStats().WalBytes, rows));
        }
        db.Dispose();
        holdsTheWal.Dispose();
        return (storage, commits);
    }

    private static void AssertReopensWith(byte[] database, byte[] wal, int expectedRows, string context)
    {
        var storage = new MemoryStorage();
        storage.SetContents(DbPath, database);
        storage.SetContents(WalPath, wal);
        using PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { BeforeDispose = TestDatabase.AssertIntact, Storage = storage });
        using (ReadTransaction tx = db.BeginRead())
        {
            Tree t = tx.GetTree("t");
            Assert.That(t.Count, Is.EqualTo(expectedRows), context);
            Assert.That(t.Range(null, null).Count(), Is.EqualTo(expectedRows), context);
        }
        IntegrityReport report = db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True, $"{context}: {report}");
    }
}
