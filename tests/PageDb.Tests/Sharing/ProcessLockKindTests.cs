using PageDb.Engine.Sharing;

namespace PageDb.Tests.Sharing;

/// <summary>
/// The one place the platform's OS locks are chosen (src/PageDb/Engine/Sharing/ProcessLockKind.cs): macOS gets flock,
/// Linux and Windows the shm file's byte-range locks, and any other platform is refused rather than given a lock only
/// its own process sees. Runs everywhere, since the choice is a pure function of the platform.
/// </summary>
public sealed class ProcessLockKindTests
{
    [TestCase(true, true, false, false, nameof(ProcessLockKind.ByteRangeAndDatabaseFLock), TestName = "Linux on x64 or arm64")]
    [TestCase(true, false, false, false, nameof(ProcessLockKind.ByteRange), TestName = "Linux on another architecture")]
    [TestCase(false, false, true, false, nameof(ProcessLockKind.ByteRange), TestName = "Windows")]
    [TestCase(false, false, false, true, nameof(ProcessLockKind.FLock), TestName = "macOS")]
    [TestCase(false, false, false, false, nameof(ProcessLockKind.Unsupported), TestName = "any other platform")]
    public void Each_platform_gets_its_kind(bool isLinux, bool hasLinuxNative, bool isWindows, bool isMacOS, string expected) =>
        Assert.That(ProcessLocks.For(isLinux, hasLinuxNative, isWindows, isMacOS).ToString(), Is.EqualTo(expected));

    [Test]
    public void This_platform_gets_the_kind_of_its_operating_system() =>
        Assert.That(ProcessLocks.Current, Is.EqualTo(ProcessLocks.For(
            OperatingSystem.IsLinux(), LinuxNative.IsSupported, OperatingSystem.IsWindows(), OperatingSystem.IsMacOS())));

    [Test]
    public void A_writer_on_a_platform_without_locks_is_refused_and_a_quiescent_database_still_opens_read_only()
    {
        string directory = Directory.CreateTempSubdirectory("pagedb-nolocks-").FullName;
        try
        {
            string path = Path.Combine(directory, "app.pagedb");
            PageDatabase.Open(path).Dispose();
            File.Delete(path + "-shm");
            var refused = Assert.Throws<DatabaseLockedException>(() =>
                PageDatabase.Open(path, new PageDbOptions { ProcessLocks = ProcessLockKind.Unsupported }).Dispose());
            Assert.That(refused!.Message, Does.Contain("refuses to write"));
            using PageDatabase reader = PageDatabase.Open(path, new PageDbOptions
            {
                ReadOnly = true,
                CreateIfMissing = false,
                ProcessLocks = ProcessLockKind.Unsupported,
            });
            Assert.That(reader.CheckIntegrity().Problems, Is.Empty);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
