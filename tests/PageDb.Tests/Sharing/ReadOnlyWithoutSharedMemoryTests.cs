using PageDb.Engine.Sharing;
using PageDb.ProcessChild;
using PageDb.Testing.Processes;

namespace PageDb.Tests.Sharing;

/// <summary>
/// A read-only open that cannot open the shm file for writing (src/PageDb/Engine/Sharing/ProcessSharing.cs,
/// WithoutSharedMemory) opens a database no process writes, and is refused with <see cref="DatabaseLockedException"/>
/// while a writer process runs; it never reads files being rewritten. The tests run as root, which chmod does not stop,
/// so the shm file is made unopenable by putting a directory at its path (what a read-only directory does to a user
/// who cannot create the file; a live writer keeps its mapping of the file moved aside). Real child processes.
/// </summary>
[NonParallelizable]
public sealed class ReadOnlyWithoutSharedMemoryTests
{
    private static readonly PageDbOptions s_readOnly = new() { ReadOnly = true, CreateIfMissing = false };

    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-noshm-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_cleanly_closed_database_opens_read_only()
    {
        string path = Path.Combine(_directory, "clean.pagedb");
        using (ChildProcess writer = ChildProcess.Start("writer", path))
            writer.WaitForAck(30);
        using (PageDatabase close = PageDatabase.Open(path))
            LiveValues.ReadCounter(close);
        BlockSharedMemory(path);

        using PageDatabase db = PageDatabase.Open(path, s_readOnly);
        Assert.That(LiveValues.ReadCounter(db), Is.GreaterThanOrEqualTo(30));
        Assert.That(db.CheckIntegrity().Problems, Is.Empty);
    }

    [Test]
    public void A_read_only_open_is_refused_while_a_writer_process_runs()
    {
        string path = Path.Combine(_directory, "live.pagedb");
        using ChildProcess writer = ChildProcess.Start("writer", path);
        writer.WaitForAck(30);
        BlockSharedMemory(path);

        var refused = Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_readOnly).Dispose());
        Assert.That(refused!.FilePath, Is.EqualTo(path));
        Assert.That(refused.Message, Does.Contain("-shm"));
        writer.WaitForAck(writer.LastAck + 10);
    }

    [Test]
    public void After_a_writer_is_killed_a_read_only_open_recovers_the_log_and_keeps_writers_out()
    {
        string path = Path.Combine(_directory, "killed.pagedb");
        long acknowledged;
        using (ChildProcess writer = ChildProcess.Start("writer", path))
        {
            writer.WaitForAck(30);
            writer.Kill();
            acknowledged = writer.LastAck;
        }
        BlockSharedMemory(path);
        using PageDatabase db = PageDatabase.Open(path, s_readOnly);
        Assert.That(LiveValues.ReadCounter(db), Is.GreaterThanOrEqualTo(acknowledged));

        Directory.Delete(SharedMemoryFile.PathFor(path));
        using ChildProcess refused = ChildProcess.Start("hold-writer", path);
        Assert.That(refused.WaitFor("LOCKED"), Does.Contain(path));
        Assert.That(refused.WaitForExit(), Is.EqualTo(3));
        Assert.That(db.CheckIntegrity().Problems, Is.Empty);
    }

    [Test]
    public void Where_nothing_proves_the_writer_gone_only_a_database_without_log_frames_opens()
    {
        // Windows's kind: no lock on the database file, so only the files say no writer runs.
        var byteRangeOnly = new PageDbOptions { ReadOnly = true, CreateIfMissing = false, ProcessLocks = ProcessLockKind.ByteRange };
        string path = Path.Combine(_directory, "quiet.pagedb");
        using (ChildProcess writer = ChildProcess.Start("writer", path))
        {
            writer.WaitForAck(30);
            writer.Kill();
        }
        BlockSharedMemory(path);
        Assert.That(Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, byteRangeOnly).Dispose())!.Message,
            Does.Contain("the log holds commits"));

        Directory.Delete(SharedMemoryFile.PathFor(path));
        PageDatabase.Open(path).Dispose();
        BlockSharedMemory(path);
        using PageDatabase db = PageDatabase.Open(path, byteRangeOnly);
        Assert.That(db.CheckIntegrity().Problems, Is.Empty);
    }

    /// <summary>Moves the shm file aside (a live writer keeps its mapping) and puts a directory at its path.</summary>
    private static void BlockSharedMemory(string path)
    {
        string shm = SharedMemoryFile.PathFor(path);
        if (File.Exists(shm))
            File.Move(shm, shm + ".aside", overwrite: true);
        Directory.CreateDirectory(shm);
    }
}
