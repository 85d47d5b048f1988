using PageDb.Engine.Sharing;
using PageDb.ProcessChild;
using PageDb.Testing.Processes;
using PageDb.Wal;

namespace PageDb.Tests.Sharing;

/// <summary>
/// On a network file system (src/PageDb/Engine/Sharing/ProcessSharing.cs, JoinOnNetwork) no shm file is made: a writer
/// process keeps every other process out, and a read-only open is refused while it runs and opens once it has stopped
/// and the database is checkpointed. NFS cannot be mounted in the test container, so the probe's answer is replaced
/// (<see cref="PageDbOptions.FileSystem"/>, PAGEDB_CHILD_FILE_SYSTEM in the child); the files, locks and processes are real.
/// </summary>
[NonParallelizable]
public sealed class NetworkFileSystemSharingTests
{
    private static readonly Dictionary<string, string> s_networkChild = new()
    {
        ["PAGEDB_CHILD_FILE_SYSTEM"] = nameof(FileSystemKind.Network),
    };

    private static readonly PageDbOptions s_writer = new() { FileSystem = FileSystemKind.Network };
    private static readonly PageDbOptions s_reader = new() { ReadOnly = true, CreateIfMissing = false, FileSystem = FileSystemKind.Network };

    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-network-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_writer_process_makes_no_shm_file_and_keeps_readers_and_writers_out()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("the network path exists where statfs and flock on the database file do: Linux on x64 and arm64");
        string path = Path.Combine(_directory, "live.pagedb");
        using ChildProcess writer = ChildProcess.Start("writer", path, environment: s_networkChild);
        writer.WaitForAck(30);
        Assert.That(File.Exists(SharedMemoryFile.PathFor(path)), Is.False);

        var refused = Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_reader).Dispose());
        Assert.That(refused!.FilePath, Is.EqualTo(path));
        Assert.That(refused.Message, Does.Contain("network file system"));
        Assert.That(Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_writer).Dispose())!.FilePath, Is.EqualTo(path));
        using (ChildProcess secondWriter = ChildProcess.Start("hold-writer", path, environment: s_networkChild))
        {
            Assert.That(secondWriter.WaitFor("LOCKED"), Does.Contain(path));
            Assert.That(secondWriter.WaitForExit(), Is.EqualTo(3));
        }
        writer.WaitForAck(writer.LastAck + 10);
    }

    [Test]
    public void A_read_only_open_beside_its_own_process_writer_is_refused()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("the network path exists where statfs and flock on the database file do: Linux on x64 and arm64");
        string path = Path.Combine(_directory, "own.pagedb");
        using PageDatabase writer = PageDatabase.Open(path, s_writer);
        LiveValues.Commit(writer, 1, withRow: false);

        var refused = Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_reader).Dispose());
        Assert.That(refused!.Message, Does.Contain("an open of this process writes it"));
        LiveValues.Commit(writer, 2, withRow: false);
        Assert.That(LiveValues.ReadCounter(writer), Is.EqualTo(2));
    }

    [Test]
    public void After_the_writer_stops_and_checkpoints_a_read_only_open_reads_it_and_keeps_writers_out()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("the network path exists where statfs and flock on the database file do: Linux on x64 and arm64");
        string path = Path.Combine(_directory, "stopped.pagedb");
        long acknowledged;
        using (ChildProcess writer = ChildProcess.Start("writer", path, environment: s_networkChild))
        {
            writer.WaitForAck(30);
            writer.Kill();
            acknowledged = writer.LastAck;
        }
        // The next writer recovers the log and checkpoints it into the database file at close.
        using (PageDatabase recover = PageDatabase.Open(path, s_writer))
            Assert.That(LiveValues.ReadCounter(recover), Is.GreaterThanOrEqualTo(acknowledged));
        Assert.That(new FileInfo(WriteAheadLog.PathFor(path)) is { Exists: false } or { Length: <= WalFormat.HeaderSize }, "checkpointed at close");

        using PageDatabase db = PageDatabase.Open(path, s_reader);
        Assert.That(LiveValues.ReadCounter(db), Is.GreaterThanOrEqualTo(acknowledged));
        Assert.That(db.CheckIntegrity().Problems, Is.Empty);
        using (ChildProcess refused = ChildProcess.Start("hold-writer", path, environment: s_networkChild))
        {
            Assert.That(refused.WaitFor("LOCKED"), Does.Contain(path));
            Assert.That(refused.WaitForExit(), Is.EqualTo(3));
        }
        Assert.That(File.Exists(SharedMemoryFile.PathFor(path)), Is.False);
        Assert.That(LiveValues.ReadCounter(db), Is.GreaterThanOrEqualTo(acknowledged));
    }
}
