using System.Globalization;
using PageDb.ProcessChild;
using PageDb.Testing.Processes;

namespace PageDb.Tests.Sharing;

/// <summary>
/// The writer lock is an OS lock every process sees (src/PageDb/Engine/Sharing/OtherProcessReaders.cs): a second
/// writer process is refused at Open with <see cref="DatabaseLockedException"/> naming the file, and the lock goes away
/// with a killed process, so the next writer opens and recovers. Real child processes (tests/PageDb.ProcessChild).
/// </summary>
[NonParallelizable]
public sealed class WriterLockAcrossProcessesTests
{
    private string _directory = "";

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-writers-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_second_writer_process_is_refused_and_opens_after_the_first_is_killed()
    {
        string path = Path.Combine(_directory, "live.pagedb");
        using ChildProcess first = ChildProcess.Start("writer", path);
        first.WaitFor("READY");
        first.WaitForAck(20);

        using (ChildProcess second = ChildProcess.Start("hold-writer", path))
        {
            string refused = second.WaitFor("LOCKED");
            Assert.That(second.WaitForExit(), Is.EqualTo(3));
            Assert.That(refused, Does.Contain(path));
        }
        var inThisProcess = Assert.Throws<DatabaseLockedException>(() => PageDatabase.Open(path).Dispose());
        Assert.That(inThisProcess!.FilePath, Is.EqualTo(path));

        first.Kill();
        long acknowledged = first.LastAck;
        using ChildProcess third = ChildProcess.Start("writer", path);
        long recovered = long.Parse(third.WaitFor("READY")["READY ".Length..], CultureInfo.InvariantCulture);
        Assert.That(recovered, Is.GreaterThanOrEqualTo(acknowledged), "an acknowledged commit was lost with the killed writer");
        third.WaitForAck(recovered + 20);
        third.Kill();

        using PageDatabase reopened = PageDatabase.Open(path);
        Assert.That(LiveValues.ReadCounter(reopened), Is.GreaterThanOrEqualTo(third.LastAck));
        Assert.That(reopened.CheckIntegrity().Problems, Is.Empty);
    }

    [Test]
    public void A_writer_process_is_refused_while_this_process_writes()
    {
        string path = Path.Combine(_directory, "mine.pagedb");
        using PageDatabase db = PageDatabase.Open(path);
        using ChildProcess other = ChildProcess.Start("hold-writer", path);
        Assert.That(other.WaitFor("LOCKED"), Does.Contain(path));
        Assert.That(other.WaitForExit(), Is.EqualTo(3));
    }
}
