using System.Diagnostics;
using NUnit.Framework;

namespace PageDb.Core.Tests;

[TestFixture]
public sealed class FileStorageTests : StorageContractTests
{
    private string _directory = null!;

    protected override IStorage Storage => FileStorage.Instance;

    protected override string PathFor(string name) => Path.Combine(_directory, name + ".pagedb");

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("pagedb-storage-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Syncs_from_several_threads_at_once_each_complete_on_a_lane_of_their_own_or_wait_for_one()
    {
        // A group commit runs two syncs at once, the background checkpointer may add a third (FileStorageFile's lanes).
        using IStorageFile file = Storage.Open(PathFor("lanes"), StorageOpenMode.CreateIfMissing);
        const int Threads = 4, SyncsEach = 25;
        using var start = new Barrier(Threads);
        Task[] syncers = [.. Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < SyncsEach; i++)
            {
                file.Write((t * SyncsEach + i) * 8L, BitConverter.GetBytes((long)i));
                file.Sync(includeMetadata: i % 5 == 0);
            }
        }))];
        Assert.That(Task.WaitAll(syncers, TimeSpan.FromMinutes(2)), Is.True, "a sync waited for a lane that was never given back");
        Assert.That(file.Length, Is.EqualTo(Threads * SyncsEach * 8L));
    }

    [Test]
    public void Creating_in_a_missing_directory_is_an_IO_error_naming_the_file()
    {
        string path = Path.Combine(_directory, "no-such-dir", "a.pagedb");
        Assert.That(() => Storage.Open(path, StorageOpenMode.CreateIfMissing),
            Throws.InstanceOf<PageDbIOException>().With.Message.Contains(path).And.Message.Contains("open"));
    }

    [Test]
    public void Opening_a_directory_for_writing_is_an_IO_error()
    {
        Assert.That(() => Storage.Open(_directory, StorageOpenMode.ReadWrite),
            Throws.InstanceOf<PageDbIOException>().With.Message.Contains(_directory));
    }

    [Test]
    public void SyncDirectory_of_a_missing_directory_is_an_IO_error()
    {
        RequireLinux();
        string path = Path.Combine(_directory, "gone", "a.pagedb");
        Assert.That(() => Storage.SyncDirectory(path), Throws.InstanceOf<PageDbIOException>().With.Message.Contains("gone"));
    }

    [Test]
    public void The_writer_lock_is_a_real_flock_seen_by_another_process()
    {
        RequireFlockTool();
        string path = PathFor("shared");
        using IStorageFile file = Storage.Open(path, StorageOpenMode.CreateIfMissing);
        Assert.That(RunFlockProbe(path), Is.Zero, "merely opening the file must not lock it (no implicit LOCK_SH)");

        Assert.That(file.TryLockExclusive(), Is.True);
        Assert.That(RunFlockProbe(path), Is.EqualTo(ConflictExitCode), "another process must see the lock");

        file.Dispose();
        Assert.That(RunFlockProbe(path), Is.Zero, "disposing releases the lock");
    }

    [Test]
    public void A_lock_held_by_another_process_refuses_ours()
    {
        RequireFlockTool();
        string path = PathFor("shared");
        using (Storage.Open(path, StorageOpenMode.CreateIfMissing)) { }

        using Process holder = StartFlockHolder(path);
        try
        {
            using IStorageFile file = Storage.Open(path, StorageOpenMode.ReadWrite);
            Assert.That(file.TryLockExclusive(), Is.False);
        }
        finally
        {
            holder.StandardInput.Close(); // the holder's shell ends when its input does, dropping the lock
            holder.WaitForExit();
        }
        using IStorageFile after = Storage.Open(path, StorageOpenMode.ReadWrite);
        Assert.That(after.TryLockExclusive(), Is.True);
    }

    private const int ConflictExitCode = 42;

    private static void RequireLinux() => Assume.That(OperatingSystem.IsLinux(), "Linux-only system call behaviour");

    private static void RequireFlockTool()
    {
        RequireLinux();
        Assume.That(File.Exists("/usr/bin/flock") || File.Exists("/bin/flock"), "needs flock(1) from util-linux");
    }

    /// <summary>Runs flock(1) -n in a child process: 0 when it could take the lock, <see cref="ConflictExitCode"/> when held.</summary>
    private static int RunFlockProbe(string path)
    {
        using Process probe = Process.Start(new ProcessStartInfo("flock", ["-n", "-E", ConflictExitCode.ToString(), path, "true"]))!;
        probe.WaitForExit();
        return probe.ExitCode;
    }

    /// <summary>Starts a child that takes the lock, says so, and holds it until its standard input is closed.</summary>
    private static Process StartFlockHolder(string path)
    {
        var start = new ProcessStartInfo("flock", ["-n", path, "sh", "-c", "echo locked; cat >/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        Process holder = Process.Start(start)!;
        Assert.That(holder.StandardOutput.ReadLine(), Is.EqualTo("locked"), "the child could not take the lock");
        return holder;
    }
}
