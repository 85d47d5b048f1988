using PageDb.Wal;

namespace PageDb.Engine.Sharing;

/// <summary>
/// How one open takes its place among the processes using a database on real files (docs/architecture/storage.md,
/// "Processes"): a writer takes the writer lock in the shm file (<see cref="OtherProcessReaders"/>); a read-only open
/// takes a reader slot (<see cref="ReaderProcessSlot"/>), or, where the shm file cannot be written (a read-only
/// directory), opens without one only when no writer can be rewriting the files: no shm file exists and the log holds
/// no frame. Over other storage (memory, the fault-injecting test storage) no other process can see the files. On macOS,
/// where .NET has no byte-range locks (<c>FileStream.Lock</c> throws PlatformNotSupportedException), there is no shm
/// file yet: the writer lock is in-process only there, and read-only opens take no slot (README, "Processes").
/// </summary>
internal sealed class ProcessSharing : IDisposable
{
    private ProcessSharing(OtherProcessReaders writer, ReaderProcessSlot? reader)
    {
        Writer = writer;
        Reader = reader;
    }

    /// <summary>The writer's side; <see cref="OtherProcessReaders.None"/> for a read-only open or other storage.</summary>
    public OtherProcessReaders Writer { get; }

    /// <summary>The read-only open's slot, or null.</summary>
    public ReaderProcessSlot? Reader { get; }

    /// <summary>Takes the writer lock or a reader slot, before any file of the database is opened.</summary>
    /// <exception cref="DatabaseLockedException">Another process writes the database, or a read-only open cannot take a slot and the files may be changing.</exception>
    /// <exception cref="PageDbIOException">A writer cannot make the shm file.</exception>
    public static ProcessSharing Join(IStorage storage, string path, PageDbOptions options)
    {
        // A missing database is the open's own error to report; no shm file is left behind for it.
        if (storage is not FileStorage || !SharedMemoryFile.IsSupported || (!storage.Exists(path) && (options.ReadOnly || !options.CreateIfMissing)))
            return new ProcessSharing(OtherProcessReaders.None, null);
        if (!options.ReadOnly)
            return new ProcessSharing(OtherProcessReaders.LockWriter(path), null);
        try
        {
            return new ProcessSharing(OtherProcessReaders.None, ReaderProcessSlot.Claim(path, options.WriteLockTimeout));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (IsQuiescent(storage, path))
                return new ProcessSharing(OtherProcessReaders.None, null);
            throw new DatabaseLockedException(path, $"its shared-memory file '{SharedMemoryFile.PathFor(path)}' cannot be "
                + $"opened for writing ({e.Message}), so this read-only open cannot take a reader slot that a writing process "
                + "would respect, and the files may be changing. Open it where that file can be written, or after the "
                + "writer has closed it and the shm file is removed.");
        }
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
    }

    /// <summary>True when no process can be writing the files: no shm file (every writer makes one first) and no log frame.</summary>
    private static bool IsQuiescent(IStorage storage, string path) =>
        !storage.Exists(SharedMemoryFile.PathFor(path))
        && !HasFrames(storage, WriteAheadLog.PathFor(path))
        && !HasFrames(storage, WriteAheadLog.SecondPathFor(path));

    private static bool HasFrames(IStorage storage, string walPath)
    {
        if (!storage.Exists(walPath))
            return false;
        using IStorageFile file = storage.Open(walPath, StorageOpenMode.ReadOnly);
        return file.Length > WalFormat.HeaderSize;
    }
}
