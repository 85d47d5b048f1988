using System.Buffers.Binary;
using System.Globalization;
using PageDb.ProcessChild;
using PageDb.Testing;
using PageDb.Testing.Processes;

namespace PageDb.Tests.Sharing;

/// <summary>
/// Read-only opens beside a writing process (src/PageDb/Engine/Sharing): each sees one committed snapshot no older than
/// the writer's last acknowledgement before the open, and checks clean, while the writer commits nonstop, checkpoints,
/// switches and restarts its log, and is killed at random moments; a reader process holds its snapshot across a
/// restart of the log; a killed reader process's slot stops holding checkpoints back. Real child processes
/// (tests/PageDb.ProcessChild) over real files.
/// </summary>
[NonParallelizable]
public sealed class ReaderProcessTests
{
    /// <summary>A small checkpoint threshold, so the writer checkpoints, switches and restarts its log every few dozen commits.</summary>
    private const long Threshold = 64 << 10;

    private static readonly PageDbOptions s_readOnly = new() { ReadOnly = true, CreateIfMissing = false };

    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-readers-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Read_only_opens_beside_a_writer_process_see_a_sound_snapshot_no_older_than_the_last_ack()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        int opens = Environment.GetEnvironmentVariable("PAGEDB_LONG") == "1" ? 1_000 : 300;
        string path = Path.Combine(_directory, "live.pagedb");
        ChildProcess writer = StartWriter(path, fromCounter: 0);
        int kills = 0, problems = 0, errors = 0;
        var firstFailures = new List<string>();
        try
        {
            for (int open = 0; open < opens; open++)
            {
                if (random.Next(40) == 0)
                {
                    Thread.Sleep(random.Next(20));
                    writer.Kill();
                    writer.Dispose();
                    writer = StartWriter(path, fromCounter: writer.LastAck);
                    kills++;
                }
                long ackedBefore = writer.LastAck;
                try
                {
                    using PageDatabase db = PageDatabase.Open(path, s_readOnly);
                    long counter = CheckSnapshot(db);
                    if (counter < ackedBefore)
                        firstFailures.Add($"open {open}: counter {counter} is older than the acknowledgement {ackedBefore} before the open");
                    IntegrityReport report = db.CheckIntegrity();
                    problems += report.Problems.Count;
                    if (!report.IsOk)
                        firstFailures.Add($"open {open}: {report}");
                }
                catch (PageDbException e)
                {
                    errors++;
                    firstFailures.Add($"open {open}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            writer.Dispose();
        }
        TestContext.Out.WriteLine($"{opens} read-only opens beside a writer committing nonstop ({kills} writer kills, last commit {writer.LastAck}): "
            + $"{problems} integrity problems, {errors} errors");
        Assert.That(firstFailures, Is.Empty, TestSeed.Describe(seed));
    }

    [Test]
    public void A_reader_process_keeps_its_snapshot_across_a_log_restart_and_its_slot_is_reclaimed_when_killed()
    {
        string path = Path.Combine(_directory, "held.pagedb");
        // No automatic checkpoint: the reader opens while the database file holds only the first pages, so after the
        // restart it reads pages the checkpoint added to the file after its open (a bug once: "past the end").
        var options = new PageDbOptions { CheckpointThresholdBytes = 64 << 20 };
        using PageDatabase db = PageDatabase.Open(path, options);
        Commit(db, 1, 40);
        Assert.That(new FileInfo(path).Length, Is.LessThan(4 * 4096), "the database file should still be nearly empty");
        using ChildProcess reader = ChildProcess.Start("hold-reader", path);
        string held = reader.WaitFor("READ");
        Assert.That(held, Does.StartWith("READ 40 ").And.Contain("problems: ok"));

        // The reader's snapshot is the last commit, so this copies everything and restarts the log (its frames are
        // overwritten by the next commits); the reader then finds its pages in the database file.
        db.Checkpoint(CheckpointMode.Truncate);
        Assert.That(new FileInfo(path + "-wal").Length, Is.EqualTo(48), "the log did not restart");
        Commit(db, 41, 400);
        Assert.That(reader.Ask("again", "READ"), Is.EqualTo(held), "the reader's answers changed across the restart");

        db.Checkpoint(CheckpointMode.Passive);
        Assert.That(db.GetStats().WalFrames, Is.GreaterThan(0), "a checkpoint copied past the reader process's snapshot");
        Assert.That(reader.Ask("again", "READ"), Is.EqualTo(held), "the reader's answers changed across a checkpoint");

        reader.Kill();
        db.Checkpoint(CheckpointMode.Passive);
        Assert.That(db.GetStats().WalFrames, Is.Zero, "the killed reader's slot still holds checkpoints back");
        Assert.That(LiveValues.ReadCounter(db), Is.EqualTo(400));
    }

    [Test]
    public void A_read_only_open_beside_a_killed_writer_reads_and_the_next_writer_respects_it()
    {
        string path = Path.Combine(_directory, "orphan.pagedb");
        ChildProcess writer = StartWriter(path, fromCounter: 0);
        writer.WaitForAck(300);
        writer.Kill();
        writer.Dispose();
        using PageDatabase reader = PageDatabase.Open(path, s_readOnly);
        long counter = CheckSnapshot(reader);
        Assert.That(counter, Is.GreaterThanOrEqualTo(writer.LastAck));

        using ChildProcess next = StartWriter(path, fromCounter: writer.LastAck);
        next.WaitForAck(counter + 600);
        Assert.That(CheckSnapshot(reader), Is.EqualTo(counter), "the snapshot changed under a new writer");
        Assert.That(reader.CheckIntegrity().Problems, Is.Empty);
    }

    private static ChildProcess StartWriter(string path, long fromCounter)
    {
        ChildProcess writer = ChildProcess.Start("writer", path, Threshold);
        long recovered = long.Parse(writer.WaitFor("READY")["READY ".Length..], CultureInfo.InvariantCulture);
        Assert.That(recovered, Is.GreaterThanOrEqualTo(fromCounter), "the writer lost an acknowledged commit");
        writer.WaitForAck(recovered + 1);
        return writer;
    }

    /// <summary>Reads the counter and the value it names; fails when the value is not that commit's. Returns the counter.</summary>
    private static long CheckSnapshot(PageDatabase db)
    {
        using ReadTransaction tx = db.BeginRead();
        Tree tree = tx.GetTree(LiveValues.TreeName);
        long counter = BinaryPrimitives.ReadInt64LittleEndian(tree.Get(LiveValues.CounterKey)!);
        Assert.That(tree.Get(LiveValues.ValueKey(counter)), Is.EqualTo(LiveValues.Value(counter)), $"commit {counter}'s value");
        return counter;
    }

    private static void Commit(PageDatabase db, long from, long to)
    {
        for (long n = from; n <= to; n++)
            LiveValues.Commit(db, n);
    }
}
