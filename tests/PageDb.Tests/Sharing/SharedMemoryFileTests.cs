using PageDb.Testing.Processes;

namespace PageDb.Tests.Sharing;

/// <summary>
/// The -shm file (src/PageDb/Engine/Sharing/SharedMemoryFile.cs): one descriptor per process, so closing another open
/// of the same database in the writer's process keeps the writer's locks (POSIX drops a process's fcntl locks when any
/// descriptor of the file closes); and CheckIntegrity checks the file's header and reader table.
/// </summary>
[NonParallelizable]
public sealed class SharedMemoryFileTests
{
    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-shm-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Closing_a_read_only_open_in_the_writers_process_keeps_the_writer_lock()
    {
        string path = Path.Combine(_directory, "mine.pagedb");
        using PageDatabase writer = PageDatabase.Open(path);
        for (int i = 0; i < 3; i++)
        {
            using PageDatabase reader = PageDatabase.Open(path, new PageDbOptions { ReadOnly = true });
            Assert.That(reader.CheckIntegrity().Problems, Is.Empty);
        }
        using ChildProcess other = ChildProcess.Start("hold-writer", path);
        Assert.That(other.WaitFor("LOCKED"), Does.Contain(path));
    }

    [Test]
    public void CheckIntegrity_reports_a_damaged_shm_header()
    {
        string path = Path.Combine(_directory, "damaged.pagedb");
        PageDatabase.Open(path).Dispose();
        using (var shm = new FileStream(path + "-shm", FileMode.Open, FileAccess.Write))
            shm.Write("garbage!"u8);
        using PageDatabase reader = PageDatabase.Open(path, new PageDbOptions { ReadOnly = true });
        Assert.That(reader.CheckIntegrity().Problems.Select(p => p.Message),
            Has.Some.Contains("not that of a PageDb shared-memory file"));
    }

    [Test]
    public void CheckIntegrity_reports_a_damaged_reader_slot()
    {
        string path = Path.Combine(_directory, "slot.pagedb");
        PageDatabase.Open(path).Dispose();
        using (var shm = new FileStream(path + "-shm", FileMode.Open, FileAccess.Write))
        {
            // The last reader slot (64 + 16 i: epoch u64, mark i64) names a reader with a negative mark.
            var slot = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(slot, 7);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(8), -5);
            shm.Position = 64 + (16 * 125);
            shm.Write(slot);
        }
        using PageDatabase reader = PageDatabase.Open(path, new PageDbOptions { ReadOnly = true });
        Assert.That(reader.CheckIntegrity().Problems.Select(p => p.Message), Has.Some.Contains("reader slot 125 holds a negative mark -5"));
    }
}
