namespace PageDb;

/// <summary>
/// Every byte PageDb reads or writes goes through this interface, so the engine runs the same over real files,
/// memory, or a fault-injecting model of a disk. Paths are whatever the implementation understands; for real files,
/// ordinary file system paths.
/// </summary>
/// <remarks>
/// The hardware model implementations must honour (see docs/ARCHITECTURE.md): data written but not yet synced may be
/// lost, kept or reordered by a crash, and a write may tear at 512-byte sector boundaries; a synced write is never lost;
/// a newly created file's directory entry lasts only after <see cref="SyncDirectory"/>.
/// Implementations are safe to call from many threads at once.
/// </remarks>
public interface IStorage
{
    /// <summary>Opens (or, with <see cref="StorageOpenMode.CreateIfMissing"/>, creates) the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist and the mode does not create it.</exception>
    /// <exception cref="PageDbIOException">The operating system refused the open.</exception>
    IStorageFile Open(string path, StorageOpenMode mode);

    /// <summary>True when a file exists at <paramref name="path"/>.</summary>
    bool Exists(string path);

    /// <summary>Deletes the file at <paramref name="path"/>, if there is one.</summary>
    void Delete(string path);

    /// <summary>Makes the directory entries of files created or deleted in the directory of <paramref name="path"/> durable.</summary>
    void SyncDirectory(string path);
}

/// <summary>How <see cref="IStorage.Open"/> opens a file.</summary>
public enum StorageOpenMode
{
    /// <summary>Open an existing file for reading only.</summary>
    ReadOnly,

    /// <summary>Open an existing file for reading and writing.</summary>
    ReadWrite,

    /// <summary>Open for reading and writing, creating an empty file when there is none.</summary>
    CreateIfMissing,
}
