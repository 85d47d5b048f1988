using PageDb.Engine.Sharing;

namespace PageDb.Tests.Sharing;

/// <summary>
/// The network-file-system probe (src/PageDb/Engine/Sharing/FileSystemKind.cs): the magic numbers it names, and a real
/// statfs(2) call on a real local file, checked against the kernel's own mount table (/proc/self/mountinfo).
/// </summary>
public sealed class FileSystemKindTests
{
    /// <summary>mountinfo's names of the file systems the probe calls network.</summary>
    private static readonly string[] s_networkTypes = ["nfs", "nfs4", "smbfs", "cifs", "smb3", "9p"];

    [TestCase(0x6969u, nameof(FileSystemKind.Network), TestName = "NFS")]
    [TestCase(0x517Bu, nameof(FileSystemKind.Network), TestName = "SMB (smbfs)")]
    [TestCase(0xFF534D42u, nameof(FileSystemKind.Network), TestName = "CIFS")]
    [TestCase(0xFE534D42u, nameof(FileSystemKind.Network), TestName = "SMB2")]
    [TestCase(0x01021997u, nameof(FileSystemKind.Network), TestName = "9P")]
    [TestCase(0x65735546u, nameof(FileSystemKind.Local), TestName = "FUSE")]
    [TestCase(0xEF53u, nameof(FileSystemKind.Local), TestName = "ext4")]
    [TestCase(0x58465342u, nameof(FileSystemKind.Local), TestName = "xfs")]
    [TestCase(0x794C7630u, nameof(FileSystemKind.Local), TestName = "overlayfs")]
    [TestCase(0x01021994u, nameof(FileSystemKind.Local), TestName = "tmpfs")]
    public void A_magic_number_names_its_kind(uint magic, string expected) =>
        Assert.That(FileSystems.ForMagic(magic).ToString(), Is.EqualTo(expected));

    [Test]
    public void A_local_temporary_file_is_not_on_a_network_file_system_and_the_mount_table_agrees()
    {
        if (!LinuxNative.IsSupported)
            Assert.Ignore("statfs is called on 64-bit Linux on x64 and arm64 only");
        string directory = Directory.CreateTempSubdirectory("pagedb-statfs-").FullName;
        try
        {
            string path = Path.Combine(directory, "local.pagedb");
            PageDatabase.Open(path).Dispose();

            uint? magic = FileSystems.MagicOf(directory);
            string mountType = MountTypeOf(directory);
            Assert.That(magic, Is.Not.Null.And.Not.Zero, "statfs failed");
            Assert.That(s_networkTypes, Does.Not.Contain(mountType), $"the test directory is on '{mountType}', not a local disk");
            Assert.That(FileSystems.ForMagic(magic!.Value), Is.EqualTo(FileSystemKind.Local), $"magic 0x{magic:X8}, mounted as '{mountType}'");
            Assert.That(FileSystems.Of(path), Is.EqualTo(FileSystemKind.Local));
            Assert.That(File.Exists(SharedMemoryFile.PathFor(path)), Is.True, "a writer on a local disk makes the shm file");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The file system type of the mount holding <paramref name="directory"/>: the longest mount point above it in /proc/self/mountinfo.</summary>
    private static string MountTypeOf(string directory)
    {
        string best = "";
        string type = "";
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 98:0 /root /mnt/point rw,noatime shared:1 - ext4 /dev/sda1 rw": field 5 is the mount point
            // (spaces written as \040), the first field after " - " the type.
            string[] fields = line.Split(' ');
            string mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
            string[] after = line[(line.IndexOf(" - ", StringComparison.Ordinal) + 3)..].Split(' ');
            bool above = directory == mountPoint || mountPoint == "/"
                || directory.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (above && mountPoint.Length >= best.Length)
            {
                best = mountPoint;
                type = after[0];
            }
        }
        return type;
    }
}
