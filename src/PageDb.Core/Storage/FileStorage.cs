using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// <see cref="IStorage"/> over real files: positional reads and writes with <see cref="RandomAccess"/> on a
/// <see cref="SafeFileHandle"/>, syncs that reach the disk, a directory sync, and an explicit writer lock.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// On 64-bit Linux (see <see cref="LinuxNative"/>) files are opened with <c>open(2)</c> and <c>O_CLOEXEC</c>, synced
/// with <c>fdatasync</c>/<c>fsync</c>, directories synced by <c>open(O_RDONLY|O_DIRECTORY)</c> + <c>fsync</c>, and
/// locked with <c>flock(LOCK_EX|LOCK_NB)</c>. Elsewhere the managed fallbacks are used: <c>File.OpenHandle</c>,
/// <see cref="RandomAccess.FlushToDisk"/> for both kinds of sync, no directory sync (not available there), and an
/// in-process-only writer lock here; the lock other processes see is taken above the storage, before any file is opened
/// (src/PageDb/Engine/Sharing/ProcessLockKind.cs).
/// </remarks>
public sealed class FileStorage : IStorage
{
    /// <summary>The shared instance; the type holds no state, so one is enough.</summary>
    public static FileStorage Instance { get; } = new();

    /// <inheritdoc/>
    public IStorageFile Open(string path, StorageOpenMode mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown open mode");
        string fullPath = Path.GetFullPath(path);
        SafeFileHandle handle = LinuxNative.IsSupported
            ? OpenNative(path, fullPath, mode)
            : OpenManaged(path, fullPath, mode);
        return new FileStorageFile(path, fullPath, handle);
    }

    /// <inheritdoc/>
    public bool Exists(string path) => File.Exists(path);

    /// <inheritdoc/>
    public void Delete(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PageDbIOException(path, "delete", e);
        }
    }

    /// <inheritdoc/>
    public void SyncDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!LinuxNative.IsSupported)
            return; // no managed directory sync exists; Windows file systems journal directory entries themselves
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        int fd = OpenRetryingOnInterrupt(directory, LinuxNative.ORdOnly | LinuxNative.ODirectory | LinuxNative.OCloExec);
        if (fd < 0)
            throw new PageDbIOException(directory, $"open (for directory sync) failed on '{directory}': {LinuxNative.LastErrorMessage(LastErrno())}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LinuxNative.FSync(handle) != 0)
            throw new PageDbIOException(directory, $"fsync (directory) failed on '{directory}': {LinuxNative.LastErrorMessage(LastErrno())}");
    }

    private static SafeFileHandle OpenNative(string path, string fullPath, StorageOpenMode mode)
    {
        int flags = LinuxNative.OCloExec | mode switch
        {
            StorageOpenMode.ReadOnly => LinuxNative.ORdOnly,
            StorageOpenMode.ReadWrite => LinuxNative.ORdWr,
            _ => LinuxNative.ORdWr | LinuxNative.OCreat,
        };
        int fd = OpenRetryingOnInterrupt(fullPath, flags);
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        int errno = LastErrno();
        if (errno == LinuxNative.ENoEnt && mode != StorageOpenMode.CreateIfMissing)
            throw new FileNotFoundException($"The file '{path}' does not exist.", path);
        throw new PageDbIOException(path, $"open failed on '{path}': {LinuxNative.LastErrorMessage(errno)}");
    }

    private static int OpenRetryingOnInterrupt(string path, int flags)
    {
        int fd;
        do
        {
            fd = LinuxNative.Open(path, flags, LinuxNative.CreateMode);
        }
        while (fd < 0 && LastErrno() == LinuxNative.EIntr);
        return fd;
    }

    private static SafeFileHandle OpenManaged(string path, string fullPath, StorageOpenMode mode)
    {
        FileMode fileMode = mode == StorageOpenMode.CreateIfMissing ? FileMode.OpenOrCreate : FileMode.Open;
        FileAccess access = mode == StorageOpenMode.ReadOnly ? FileAccess.Read : FileAccess.ReadWrite;
        try
        {
            return File.OpenHandle(fullPath, fileMode, access, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && mode != StorageOpenMode.CreateIfMissing)
        {
            throw new FileNotFoundException($"The file '{path}' does not exist.", path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PageDbIOException(path, "open", e);
        }
    }

    private static int LastErrno() => System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
}
