using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PageDb.Engine.Sharing;

/// <summary>
/// An flock(2) lock held on a dedicated descriptor for as long as this object lives: exclusive (one writer) or shared
/// (any number of readers), between processes and between opens of one process alike, since flock belongs to the open
/// file description, not to the process. <see cref="ProcessSharing"/> takes it on the lock file <c>name.pagedb-lock</c>
/// (<see cref="ProcessLockKind.FLock"/>, macOS) and on the database file itself (a read-only open on Linux that cannot
/// use the shm file, <see cref="ProcessLockKind.ByteRangeAndDatabaseFLock"/>).
/// <para>
/// Why flock and not fcntl here: POSIX drops every fcntl lock a process holds on a file when the process closes any
/// descriptor of that file, which another open of the same database (or any code reading the file) would do. An flock
/// lives until its own descriptor closes, and this type never lets that descriptor go before <see cref="Dispose"/>.
/// </para>
/// <para>
/// The descriptor is opened by .NET, which on Unix itself takes flock(LOCK_EX|LOCK_NB) for <see cref="FileShare.None"/>
/// and flock(LOCK_SH|LOCK_NB) otherwise (failing the open with EWOULDBLOCK as the HResult when another descriptor holds a
/// conflicting lock). The explicit flock after it converts nothing (same descriptor, same mode) but keeps the lock when
/// .NET's is switched off (<c>System.IO.DisableFileLocking</c>). Unix only: never used on Windows.
/// </para>
/// Threads: one thread takes it; <see cref="Dispose"/> once.
/// </summary>
internal sealed class LockFile : IDisposable
{
    private const int MacEWouldBlock = 35; // EWOULDBLOCK == EAGAIN on macOS

    private readonly SafeFileHandle _handle;

    private LockFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>The locked file's path.</summary>
    public string Path { get; }

    /// <summary>The lock file of the database at <paramref name="databasePath"/>: <c>name.pagedb</c> -> <c>name.pagedb-lock</c>.</summary>
    public static string PathFor(string databasePath) => databasePath + "-lock";

    /// <summary>
    /// Opens <paramref name="path"/> (creating it when <paramref name="create"/>) and takes flock on it without waiting;
    /// null when another descriptor holds a conflicting lock.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened or created, or its file system has no flock.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its directory may not be written (<paramref name="create"/>).</exception>
    public static LockFile? TryTake(string path, bool exclusive, bool create)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, create ? FileMode.OpenOrCreate : FileMode.Open,
                create ? FileAccess.ReadWrite : FileAccess.Read,
                exclusive ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException e) when (e.HResult == EWouldBlock)
        {
            return null;
        }
        LockFile? taken = null;
        try
        {
            if (TakeFLock(path, handle, exclusive))
                taken = new LockFile(path, handle);
            return taken;
        }
        finally
        {
            if (taken is null)
                handle.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Closing the descriptor is what gives the flock back.
        _handle.Dispose();
    }

    /// <summary>flock(LOCK_EX or LOCK_SH, LOCK_NB): false when another descriptor holds a conflicting lock.</summary>
    /// <exception cref="IOException">flock failed otherwise (the file system has no locks).</exception>
    private static bool TakeFLock(string path, SafeFileHandle handle, bool exclusive)
    {
        int operation = (exclusive ? LinuxNative.LockExclusive : LinuxNative.LockShared) | LinuxNative.LockNonBlocking;
        while (LinuxNative.FLock(handle, operation) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EWouldBlock)
                return false;
            if (errno != LinuxNative.EIntr)
                throw new IOException($"flock failed on '{path}' (the file system may not support locks): {LinuxNative.LastErrorMessage(errno)}");
        }
        return true;
    }

    private static int EWouldBlock => OperatingSystem.IsMacOS() ? MacEWouldBlock : LinuxNative.EWouldBlock;
}
