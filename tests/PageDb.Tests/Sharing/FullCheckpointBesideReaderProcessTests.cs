using PageDb.ProcessChild;
using PageDb.Testing.Processes;
using PageDb.Wal;

namespace PageDb.Tests.Sharing;

/// <summary>
/// Full and Truncate checkpoints wait for read-only opens of other processes that hold older snapshots, as they wait for
/// this process's readers (src/PageDb/Engine/Sharing/OtherProcessReaders.cs, WaitUntilNoneOlderThan): they time out
/// with <see cref="TimeoutException"/> while such a reader stays, and copy and restart the whole log once it is gone.
/// Before, they waited only for this process's readers and returned having copied only up to the reader process's
/// snapshot. A real child process holds the read transaction.
/// </summary>
[NonParallelizable]
public sealed class FullCheckpointBesideReaderProcessTests
{
    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-fullckpt-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [TestCase(CheckpointMode.Full)]
    [TestCase(CheckpointMode.Truncate)]
    public void A_reader_process_of_an_older_snapshot_makes_it_time_out(CheckpointMode mode)
    {
        string path = Path.Combine(_directory, "held.pagedb");
        using PageDatabase db = Open(path, TimeSpan.FromMilliseconds(300));
        using ChildProcess reader = HoldReaderOfOlderSnapshot(db, path);

        Assert.Throws<TimeoutException>(() => db.Checkpoint(mode));
        Assert.That(db.GetStats().WalFrames, Is.GreaterThan(0));
        Assert.That(reader.Ask("again", "READ"), Does.StartWith("READ 20 ").And.Contain("problems: ok"));

        reader.Kill();
        db.Checkpoint(mode);
        Assert.That(db.GetStats().WalFrames, Is.Zero, "the checkpoint after the reader ended did not copy the whole log");
        if (mode == CheckpointMode.Truncate)
            Assert.That(new FileInfo(WriteAheadLog.PathFor(path)).Length, Is.LessThanOrEqualTo(WalFormat.HeaderSize));
    }

    [Test]
    public void A_full_checkpoint_waits_for_a_reader_process_and_completes_when_it_ends()
    {
        string path = Path.Combine(_directory, "waits.pagedb");
        using PageDatabase db = Open(path, TimeSpan.FromSeconds(60));
        using ChildProcess reader = HoldReaderOfOlderSnapshot(db, path);

        Task checkpoint = Task.Factory.StartNew(() => db.Checkpoint(CheckpointMode.Full), TaskCreationOptions.LongRunning);
        // Not a timing assertion: it can only fail when the checkpoint did not wait for the reader at all.
        Assert.That(checkpoint.Wait(TimeSpan.FromMilliseconds(300)), Is.False, "the Full checkpoint did not wait for the reader process");
        reader.Ask("again", "READ");
        reader.Kill();
        checkpoint.Wait();
        Assert.That(db.GetStats().WalFrames, Is.Zero);
        Assert.That(LiveValues.ReadCounter(db), Is.EqualTo(60));
    }

    [Test]
    public void The_writers_own_checkpoints_at_close_and_open_do_not_wait_for_a_reader_process()
    {
        string path = Path.Combine(_directory, "close.pagedb");
        PageDatabase db = Open(path, Timeout.InfiniteTimeSpan);
        using ChildProcess reader = HoldReaderOfOlderSnapshot(db, path);
        string held = reader.Ask("again", "READ");

        // Both would wait forever (an infinite WriteLockTimeout) if they waited for the reader process.
        Task closeAndReopen = Task.Factory.StartNew(() =>
        {
            db.Dispose();
            Open(path, Timeout.InfiniteTimeSpan).Dispose();
        }, TaskCreationOptions.LongRunning);
        Assert.That(closeAndReopen.Wait(TimeSpan.FromSeconds(60)), Is.True, "the writer's close or open waited for the reader process");
        Assert.That(reader.Ask("again", "READ"), Is.EqualTo(held), "the reader's answers changed across the writer's close and open");
    }

    private static PageDatabase Open(string path, TimeSpan timeout) =>
        PageDatabase.Open(path, new PageDbOptions { CheckpointThresholdBytes = 64 << 20, WriteLockTimeout = timeout });

    /// <summary>Commits 1-20, starts a reader process holding that snapshot, then commits 21-60.</summary>
    private static ChildProcess HoldReaderOfOlderSnapshot(PageDatabase db, string path)
    {
        for (long n = 1; n <= 20; n++)
            LiveValues.Commit(db, n);
        ChildProcess reader = ChildProcess.Start("hold-reader", path);
        Assert.That(reader.WaitFor("READ"), Does.StartWith("READ 20 "));
        for (long n = 21; n <= 60; n++)
            LiveValues.Commit(db, n);
        return reader;
    }
}
