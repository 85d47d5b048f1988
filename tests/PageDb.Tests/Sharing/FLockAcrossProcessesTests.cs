using System.Globalization;
using PageDb.Engine.Sharing;
using PageDb.ProcessChild;
using PageDb.Testing.Processes;

namespace PageDb.Tests.Sharing;

/// <summary>
/// macOS's locks (<see cref="ProcessLockKind.FLock"/>: flock on <c>name.pagedb-lock</c>, src/PageDb/Engine/Sharing/LockFile.cs)
/// run here on Linux, where flock behaves the same, with real child processes (tests/PageDb.ProcessChild with
/// PAGEDB_CHILD_LOCKS=FLock, and .NET's implicit flock switched off): a second writer process is refused and opens after the first is killed; a read-only
/// process keeps writers out while it reads, and is refused while a writer runs. Nothing falls back to a lock only one
/// process sees.
/// </summary>
[NonParallelizable]
public sealed class FLockAcrossProcessesTests
{
    /// <summary>
    /// The children use the flock kind with .NET's own flock at open switched off, so only LockFile's explicit flock
    /// keeps them apart (this process keeps .NET's: both must hold together).
    /// </summary>
    private static readonly Dictionary<string, string> s_flock = new()
    {
        ["PAGEDB_CHILD_LOCKS"] = nameof(ProcessLockKind.FLock),
        ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1",
    };

    private static readonly PageDbOptions s_writer = new() { ProcessLocks = ProcessLockKind.FLock };
    private static readonly PageDbOptions s_reader = new() { ReadOnly = true, CreateIfMissing = false, ProcessLocks = ProcessLockKind.FLock };

    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-flock-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_second_writer_process_is_refused_and_opens_after_the_first_is_killed()
    {
        string path = Path.Combine(_directory, "live.pagedb");
        using ChildProcess first = ChildProcess.Start("writer", path, environment: s_flock);
        first.WaitFor("READY");
        first.WaitForAck(20);
        Assert.That(File.Exists(LockFile.PathFor(path)), "the writer takes its lock on the lock file");
        Assert.That(File.Exists(SharedMemoryFile.PathFor(path)), Is.False, "the flock kind makes no shm file");

        using (ChildProcess second = ChildProcess.Start("hold-writer", path, environment: s_flock))
        {
            // Refused by the lock file, before the database file's own flock (Linux's storage) is reached.
            Assert.That(second.WaitFor("LOCKED"), Does.Contain(path).And.Contain(LockFile.PathFor(path)));
            Assert.That(second.WaitForExit(), Is.EqualTo(3));
        }
        Assert.That(Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_writer).Dispose())!.FilePath, Is.EqualTo(path));
        Assert.That(Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_reader).Dispose())!.FilePath, Is.EqualTo(path),
            "a reader process is refused while the writer runs: without shared memory nothing would hold its snapshot");

        first.Kill();
        using ChildProcess third = ChildProcess.Start("writer", path, environment: s_flock);
        long recovered = long.Parse(third.WaitFor("READY")["READY ".Length..], CultureInfo.InvariantCulture);
        Assert.That(recovered, Is.GreaterThanOrEqualTo(first.LastAck), "an acknowledged commit was lost with the killed writer");
        third.WaitForAck(recovered + 20);
        third.Kill();

        using PageDatabase reader = PageDatabase.Open(path, s_reader);
        Assert.That(LiveValues.ReadCounter(reader), Is.GreaterThanOrEqualTo(third.LastAck));
        Assert.That(reader.CheckIntegrity().Problems, Is.Empty);
    }

    [Test]
    public void A_reader_process_keeps_writers_out_until_it_ends_and_readers_share()
    {
        string path = Path.Combine(_directory, "read.pagedb");
        using (ChildProcess writer = ChildProcess.Start("writer", path, environment: s_flock))
        {
            writer.WaitForAck(30);
            writer.Kill();
        }
        using ChildProcess reader = ChildProcess.Start("hold-reader", path, environment: s_flock);
        string first = reader.WaitFor("READ");
        Assert.That(first, Does.Contain("problems: ok"));

        using (ChildProcess refused = ChildProcess.Start("hold-writer", path, environment: s_flock))
        {
            Assert.That(refused.WaitFor("LOCKED"), Does.Contain(path));
            Assert.That(refused.WaitForExit(), Is.EqualTo(3));
        }
        Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path, s_writer).Dispose());
        using (PageDatabase alongside = PageDatabase.Open(path, s_reader))
            Assert.That(alongside.CheckIntegrity().Problems, Is.Empty);
        Assert.That(reader.Ask("again", "READ"), Is.EqualTo(first), "the reader's answer changed while it held its lock");

        reader.Kill();
        using ChildProcess next = ChildProcess.Start("writer", path, environment: s_flock);
        next.WaitFor("READY");
        next.WaitForAck(40);
    }
}
