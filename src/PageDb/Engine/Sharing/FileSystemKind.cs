using System.Runtime.InteropServices;

namespace PageDb.Engine.Sharing;

/// <summary>
/// Whether the database's directory is on a file system whose other clients (other machines, a VM's host) cannot see a
/// shared-memory mapping coherently (docs/architecture/storage.md, "Network file systems"). On such a file system
/// <see cref="ProcessSharing"/> makes no shm file: the writer keeps every other process out, and a read-only open takes
/// the path without shared memory.
/// </summary>
internal enum FileSystemKind
{
    /// <summary>A local file system (or one PageDb cannot classify): the shm file is used.</summary>
    Local,

    /// <summary>NFS, SMB/CIFS or 9P: no shm file.</summary>
    Network,
}

/// <summary>
/// Classifies the directory of a database by the magic number statfs(2) reports for it (Linux on x64 and arm64, where
/// <see cref="LinuxNative"/> has the call; <see cref="FileSystemKind.Local"/> elsewhere).
/// <para>
/// Network: NFS (0x6969, every version), SMB (0x517B, the old smbfs), CIFS (0xFF534D42, cifs.ko) and SMB2 (0xFE534D42,
/// cifs.ko mounting SMB2/3), where a mapping is coherent only on one machine while the locks reach the server (Linux
/// emulates flock with whole-file byte-range locks there, flock(2)); and 9P (0x01021997: WSL2's Windows drives, QEMU
/// and container shares), whose host does not see the guest's mapping while 9P2000.L sends the locks to it.
/// </para>
/// <para>
/// Not FUSE (0x65735546): it holds local file systems (ntfs-3g, mergerfs) as well as remote ones (sshfs), which
/// statfs cannot tell apart, and remote FUSE file systems such as sshfs keep locks on the client, so treating them as
/// network would refuse reader processes on local drives without keeping other machines out. Other cluster file
/// systems (Ceph, Lustre, AFS, GPFS) are not recognised either; sharing a database across machines on them is unsupported.
/// </para>
/// </summary>
internal static class FileSystems
{
    private const uint Nfs = 0x6969;
    private const uint Smb = 0x517B;
    private const uint Cifs = 0xFF534D42;
    private const uint Smb2 = 0xFE534D42;
    private const uint NineP = 0x01021997;

    /// <summary>The kind of the file system holding the directory of the database at <paramref name="databasePath"/>.</summary>
    public static FileSystemKind Of(string databasePath) =>
        MagicOf(Path.GetDirectoryName(Path.GetFullPath(databasePath)) ?? "/") is { } magic ? ForMagic(magic) : FileSystemKind.Local;

    /// <summary>
    /// The statfs(2) magic number of the file system holding <paramref name="path"/>; null where the call is not made
    /// (not 64-bit Linux on x64 or arm64) or fails (then the open goes on as on a local file system and meets the error
    /// where it opens the files).
    /// </summary>
    public static uint? MagicOf(string path)
    {
        if (!LinuxNative.IsSupported)
            return null;
        int result;
        LinuxNative.StatFsResult info;
        do
            result = LinuxNative.StatFs(path, out info);
        while (result != 0 && Marshal.GetLastPInvokeError() == LinuxNative.EIntr);
        // f_type is an unsigned long in the kernel; every magic number fits in its low 32 bits.
        return result == 0 ? unchecked((uint)info.Type) : null;
    }

    /// <summary>The kind a statfs magic number names (a pure function, unit-tested on every platform).</summary>
    public static FileSystemKind ForMagic(uint magic) =>
        magic is Nfs or Smb or Cifs or Smb2 or NineP ? FileSystemKind.Network : FileSystemKind.Local;
}
