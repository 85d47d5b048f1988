using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PageDb;

/// <summary>
/// The few Linux system calls .NET does not expose: open without .NET's implicit advisory lock, fdatasync/fsync,
/// a directory fsync, an explicit flock, statfs (the file system's type), mmap/munmap for mapped reads (<see cref="FileMapping"/>),
/// and the scheduling policy of the calling thread (<see cref="SetCallingThreadBatchScheduling"/>). Used only when <see cref="IsSupported"/>; elsewhere the storage falls
/// back to managed calls. The one exception is <see cref="FLock"/>, which the process locks also call on macOS
/// (src/PageDb/Engine/Sharing/LockFile.cs): its libc has the same non-variadic flock(int, int) and LOCK_* values.
/// </summary>
/// <remarks>
/// Why not <c>File.OpenHandle</c>: on Unix it takes <c>flock(LOCK_SH)</c> on every handle opened with a FileShare other
/// than None, which would collide with the explicit <c>LOCK_EX</c> writer lock (a reader's open would fail, and a
/// reader would block the writer's lock), and a runtime setting can switch it off. Opening through
/// <c>open(2)</c> keeps the only lock the one PageDb takes on purpose. Flag values below are those of x86-64 and
/// arm64 Linux (O_DIRECTORY differs between them).
/// </remarks>
internal static partial class LinuxNative
{
    private const string Libc = "libc";

    public const int ORdOnly = 0x0;       // O_RDONLY
    public const int ORdWr = 0x2;         // O_RDWR
    public const int OCreat = 0x40;       // O_CREAT (0100 octal)
    public const int OCloExec = 0x80000;  // O_CLOEXEC (02000000 octal): the fd must not leak into child processes

    public const int ProtRead = 1;        // PROT_READ
    public const int MapShared = 1;       // MAP_SHARED
    public const int MapPrivate = 2;      // MAP_PRIVATE
    public const int MapFixed = 0x10;     // MAP_FIXED: replace whatever is mapped at the address, atomically
    public const int MapAnonymous = 0x20; // MAP_ANONYMOUS: zero pages, no file

    public const int LockShared = 1;      // LOCK_SH
    public const int LockExclusive = 2;   // LOCK_EX
    public const int LockNonBlocking = 4; // LOCK_NB

    public const int ENoEnt = 2;          // ENOENT
    public const int EIntr = 4;           // EINTR
    public const int EWouldBlock = 11;    // EWOULDBLOCK == EAGAIN on Linux

    /// <summary>Permissions of a created file before the umask: rw-rw-rw-, like every other .NET-created file.</summary>
    public const int CreateMode = 0x1B6; // 0666 octal

    /// <summary>True on 64-bit Linux on x86-64 or arm64, the platforms whose flag values are written here.</summary>
    public static bool IsSupported { get; } =
        OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>O_DIRECTORY: 0200000 (octal) on x86-64, 040000 on arm64.</summary>
    public static int ODirectory { get; } =
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x4000 : 0x10000;

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(SafeFileHandle fd);

    [LibraryImport(Libc, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int FDataSync(SafeFileHandle fd);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    public static partial int FLock(SafeFileHandle fd, int operation);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint MMap(nint address, nuint length, int protection, int flags, SafeFileHandle fd, long offset);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint MMapAnonymous(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(nint address, nuint length);

    /// <summary>SCHED_BATCH: a normal thread that never preempts a running one when it wakes (sched(7)).</summary>
    private const int SchedBatch = 3;

    [LibraryImport(Libc, EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, in int parameter);

    /// <summary>
    /// Puts the calling thread (pid 0 in sched_setscheduler(2), which on Linux names the thread) under SCHED_BATCH,
    /// priority 0: it keeps its fair share of the CPU at its nice value, but when it wakes it waits for the running
    /// thread's slice to end instead of preempting it. Needs no privilege. Returns false, changing nothing, where
    /// <see cref="IsSupported"/> is false or when the call failed: callers use it as a best-effort hint.
    /// </summary>
    public static bool SetCallingThreadBatchScheduling() => IsSupported && SchedSetScheduler(0, SchedBatch, 0) == 0;

    [LibraryImport(Libc, EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int StatFs(string path, out StatFsResult result);

    /// <summary>
    /// glibc's <c>struct statfs</c> on 64-bit Linux: <c>f_type</c> (the file system's magic number) is its first field,
    /// 8 bytes; the rest (112 bytes on x86-64 and arm64) is not read, and the size leaves room to spare.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    public struct StatFsResult
    {
        /// <summary>f_type: the magic number of the file system (statfs(2)).</summary>
        public long Type;
    }

    /// <summary>The text of the last error a P/Invoke above set, with its errno.</summary>
    public static string LastErrorMessage(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
