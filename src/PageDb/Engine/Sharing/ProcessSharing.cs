using PageDb.Wal;

namespace PageDb.Engine.Sharing;

/// <summary>
/// How one open takes its place among the processes using a database on real files (docs/architecture/storage.md,
/// "Processes"), by the platform's <see cref="ProcessLockKind"/>:
/// <list type="bullet">
/// <item>Byte-range kinds (Linux, Windows): a writer takes the writer lock in the shm file (<see cref="OtherProcessReaders"/>);
/// a read-only open takes a reader slot (<see cref="ReaderProcessSlot"/>). Where the shm file cannot be opened for
/// writing (a read-only directory), a read-only open goes on without one only when no writer can be rewriting the files
/// (<see cref="WithoutSharedMemory"/>). On a network file system (Linux) no shm file is made: the writer keeps every other
/// process out and a read-only open always takes that path (<see cref="JoinOnNetwork"/>).</item>
/// <item><see cref="ProcessLockKind.FLock"/> (macOS): flock on the lock file, exclusive for the writer and shared for a
/// read-only open, held for the whole open (<see cref="LockFile"/>).</item>
/// <item><see cref="ProcessLockKind.Unsupported"/>: a writer is refused; a read-only open needs a quiescent database.</item>
/// </list>
/// No path falls back to a lock only this process sees. Over other storage (memory, the fault-injecting test storage) no
/// other process can see the files, so nothing is shared.
/// </summary>
internal sealed class ProcessSharing : IDisposable
{
    private readonly LockFile? _lock;

    private ProcessSharing(OtherProcessReaders writer, ReaderProcessSlot? reader, LockFile? heldLock)
    {
        Writer = writer;
        Reader = reader;
        _lock = heldLock;
    }

    /// <summary>The writer's side; <see cref="OtherProcessReaders.None"/> for a read-only open, other storage or the flock kind.</summary>
    public OtherProcessReaders Writer { get; }

    /// <summary>The read-only open's slot, or null.</summary>
    public ReaderProcessSlot? Reader { get; }

    /// <summary>Takes the writer lock, a reader slot or a flock, before any file of the database is opened.</summary>
    /// <exception cref="DatabaseLockedException">Another process writes the database, or a read-only open cannot prove the files are not changing.</exception>
    /// <exception cref="PageDbIOException">A writer cannot make the shm or lock file.</exception>
    public static ProcessSharing Join(IStorage storage, string path, PageDbOptions options)
    {
        // A missing database is the open's own error to report; no shm file is left behind for it.
        if (storage is not FileStorage || (!storage.Exists(path) && (options.ReadOnly || !options.CreateIfMissing)))
            return new ProcessSharing(OtherProcessReaders.None, null, null);
        ProcessLockKind kind = options.ProcessLocks ?? ProcessLocks.Current;
        if (kind == ProcessLockKind.ByteRangeAndDatabaseFLock && (options.FileSystem ?? FileSystems.Of(path)) == FileSystemKind.Network)
            return JoinOnNetwork(storage, path, options.ReadOnly);
        return (kind, options.ReadOnly) switch
        {
            (ProcessLockKind.FLock, false) => new ProcessSharing(OtherProcessReaders.None, null, LockWriterFile(path)),
            (ProcessLockKind.FLock, true) => JoinByLockFile(storage, path),
            (ProcessLockKind.Unsupported, false) => throw new DatabaseLockedException(path, "this platform has no OS lock "
                + "PageDb knows to keep other processes out, and PageDb refuses to write without one"),
            (ProcessLockKind.Unsupported, true) => WithoutSharedMemory(storage, path, kind, "this platform has no OS lock PageDb can use"),
            (_, false) => new ProcessSharing(OtherProcessReaders.LockWriter(path), null, null),
            (_, true) => JoinBySlot(storage, path, options, kind),
        };
    }

    /// <summary>The files are open and the log recovered at <paramref name="lastCommit"/>: publish it (writer) or hold the slot's snapshot (reader).</summary>
    public void Joined(WalMark lastCommit)
    {
        Writer.Publish(lastCommit);
        Reader?.Hold();
    }

    /// <summary>What is wrong with the shm file's header and reader table, when this open uses one.</summary>
    public IEnumerable<string> FindProblems(WalMark lastCommit) => Reader?.FindProblems() ?? Writer.FindProblems(lastCommit);

    /// <inheritdoc/>
    public void Dispose()
    {
        Writer.Dispose();
        Reader?.Dispose();
        _lock?.Dispose();
    }

    private static ProcessSharing JoinBySlot(IStorage storage, string path, PageDbOptions options, ProcessLockKind kind)
    {
        try
        {
            return new ProcessSharing(OtherProcessReaders.None, ReaderProcessSlot.Claim(path, options.WriteLockTimeout), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return WithoutSharedMemory(storage, path, kind, $"its shared-memory file '{SharedMemoryFile.PathFor(path)}' "
                + $"cannot be opened for writing ({e.Message})");
        }
    }

    /// <summary>
    /// An open on a network file system (<see cref="FileSystems"/>), where other machines cannot see a mapping of the shm
    /// file coherently, so none is made. The writer keeps every other process out by its flock(LOCK_EX) on the database
    /// file, held by the storage for its whole open (Linux emulates it with a whole-file byte-range lock the server
    /// sees); a read-only open takes the path without shared memory: flock(LOCK_SH), refused while a writer runs.
    /// </summary>
    private static ProcessSharing JoinOnNetwork(IStorage storage, string path, bool readOnly) => readOnly
        ? WithoutSharedMemory(storage, path, ProcessLockKind.ByteRangeAndDatabaseFLock,
            "its directory is on a network file system, where a shared-memory file cannot be kept coherent between machines")
        : new ProcessSharing(OtherProcessReaders.None, null, null);

    /// <summary>
    /// A read-only open that cannot take a reader slot (<paramref name="why"/>). On Linux every writer holds
    /// flock(LOCK_EX) on the database file for its whole open, so flock(LOCK_SH) on it, held for this whole open, proves
    /// no writer runs and keeps any from starting (a writer of this process is seen first, in <see cref="FileLockRegistry"/>). Elsewhere nothing proves it but the files: no shm file (every writer
    /// makes one first) and no log frame.
    /// </summary>
    private static ProcessSharing WithoutSharedMemory(IStorage storage, string path, ProcessLockKind kind, string why)
    {
        if (kind == ProcessLockKind.ByteRangeAndDatabaseFLock)
        {
            // Refused before a descriptor of the database file is opened (and closed again on refusal) in the process
            // whose writer holds the flock: on NFS that flock is an emulated byte-range lock (docs/architecture/storage.md).
            if (FileLockRegistry.IsHeld(Path.GetFullPath(path)))
                throw WriterRuns(path, $"{why}, and an open of this process writes it");
            LockFile? shared = LockFile.TryTake(path, exclusive: false, create: false);
            if (shared is null)
                throw WriterRuns(path, why);
            return new ProcessSharing(OtherProcessReaders.None, null, shared);
        }
        if (storage.Exists(SharedMemoryFile.PathFor(path)) || HasFrames(storage, path))
            throw WriterRuns(path, $"{why}, and the files may be changing (a shared-memory file exists or the log holds commits)");
        return new ProcessSharing(OtherProcessReaders.None, null, null);
    }

    /// <summary>
    /// A read-only open of the flock kind: flock(LOCK_SH) on the lock file for its whole open. Where the lock file cannot
    /// be made (a read-only directory), no writer can be running or start (each makes it first), unless it exists.
    /// </summary>
    private static ProcessSharing JoinByLockFile(IStorage storage, string path)
    {
        string lockPath = LockFile.PathFor(path);
        LockFile? shared;
        try
        {
            shared = LockFile.TryTake(lockPath, exclusive: false, create: !storage.Exists(lockPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !storage.Exists(lockPath))
        {
            return WithoutSharedMemory(storage, path, ProcessLockKind.Unsupported, $"its lock file '{lockPath}' cannot be made ({e.Message})");
        }
        return shared is null ? throw WriterRuns(path, $"a process holds its lock file '{lockPath}' for writing")
            : new ProcessSharing(OtherProcessReaders.None, null, shared);
    }

    /// <summary>The writer's flock(LOCK_EX) on the lock file, for its whole open.</summary>
    private static LockFile LockWriterFile(string path)
    {
        string lockPath = LockFile.PathFor(path);
        LockFile? exclusive;
        try
        {
            exclusive = LockFile.TryTake(lockPath, exclusive: true, create: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PageDbIOException(lockPath, $"cannot create or lock the lock file '{lockPath}' ({e.Message}); "
                + "PageDb refuses to write without a lock other processes see");
        }
        return exclusive ?? throw new DatabaseLockedException(path, $"another open (in this process or another) holds its lock file '{lockPath}'");
    }

    private static DatabaseLockedException WriterRuns(string path, string why) =>
        new(path, $"{why}, and this read-only open cannot prove that no process is writing the database. Open it after the "
            + "writing process has closed it (or, on a local file system, where the shared-memory file can be made).");

    private static bool HasFrames(IStorage storage, string path) =>
        HasFramesIn(storage, WriteAheadLog.PathFor(path)) || HasFramesIn(storage, WriteAheadLog.SecondPathFor(path));

    private static bool HasFramesIn(IStorage storage, string walPath)
    {
        if (!storage.Exists(walPath))
            return false;
        using IStorageFile file = storage.Open(walPath, StorageOpenMode.ReadOnly);
        return file.Length > WalFormat.HeaderSize;
    }
}
