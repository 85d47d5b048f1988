namespace PageDb.Engine.Sharing;

/// <summary>
/// Which OS locks keep processes apart on this platform (docs/architecture/storage.md, "Processes"): the one place the
/// platform is chosen. <see cref="ProcessSharing"/> acts on the value; <see cref="ProcessLocks.For"/> is a pure function so the choice
/// is unit-tested on every platform, and <see cref="PageDbOptions.ProcessLocks"/> lets a test run another platform's path
/// where its locks also exist (the flock path on Linux).
/// </summary>
internal enum ProcessLockKind
{
    /// <summary>
    /// Linux: the shm file with fcntl byte-range locks (<c>FileStream.Lock</c>); the writer also holds flock(LOCK_EX) on
    /// the database file, so a read-only open that cannot use the shm file proves "no writer" by flock(LOCK_SH) on it.
    /// </summary>
    ByteRangeAndDatabaseFLock,

    /// <summary>
    /// Windows (and Linux on an architecture without <see cref="LinuxNative"/>): the shm file with LockFileEx (fcntl) byte-range locks (<c>FileStream.Lock</c>). No lock on the database file, so
    /// a read-only open that cannot use the shm file opens only a quiescent database (no shm file, no log frame).
    /// </summary>
    ByteRange,

    /// <summary>
    /// macOS: .NET has no byte-range locks there (<c>FileStream.Lock</c> throws PlatformNotSupportedException) and fcntl is
    /// variadic, which P/Invoke cannot call correctly on Apple arm64, so no shm file: flock on the dedicated lock file
    /// (<see cref="LockFile"/>), LOCK_EX by the writer and LOCK_SH by each read-only open, for their whole open. Readers and
    /// the writer of other processes exclude each other.
    /// </summary>
    FLock,

    /// <summary>Any other platform: no lock PageDb knows to work, so opens on real files are refused (never an in-process-only lock).</summary>
    Unsupported,
}

/// <summary>Picks the <see cref="ProcessLockKind"/> of a platform.</summary>
internal static class ProcessLocks
{
    /// <summary>The kind of the platform this process runs on.</summary>
    public static ProcessLockKind Current { get; } =
        For(OperatingSystem.IsLinux(), LinuxNative.IsSupported, OperatingSystem.IsWindows(), OperatingSystem.IsMacOS());

    /// <summary>
    /// The kind for a platform that is Linux (<paramref name="hasLinuxNative"/>: on an architecture where the storage
    /// flocks the database file, <see cref="LinuxNative.IsSupported"/>), Windows, macOS or none of them.
    /// </summary>
    public static ProcessLockKind For(bool isLinux, bool hasLinuxNative, bool isWindows, bool isMacOS) =>
        isLinux && hasLinuxNative ? ProcessLockKind.ByteRangeAndDatabaseFLock
        : isLinux || isWindows ? ProcessLockKind.ByteRange
        : isMacOS ? ProcessLockKind.FLock
        : ProcessLockKind.Unsupported;
}
