using PageDb.Engine.Sharing;

namespace PageDb.Cli.Commands;

/// <summary>
/// Making a finished, synced file the database at a path, for the commands that build a database beside its target
/// (<c>restore</c>, <c>import-sqlite</c>): an existing target is replaced only with --force, never while another
/// process has it open for writing, and its WAL goes with it, since a WAL left beside the new file would be replayed
/// into it.
/// </summary>
internal static class TargetReplacement
{
    /// <summary>Fails unless <paramref name="path"/> is free or <paramref name="force"/> allows replacing it.</summary>
    public static void RefuseExisting(string path, bool force, string withWhat)
    {
        if (!force && (File.Exists(path) || File.Exists(path + "-wal")))
            throw new CliException($"'{path}' exists; pass --force to replace it with {withWhat}");
    }

    /// <summary>
    /// Takes the target's writer lock (held to the end) when it exists, deletes its WAL, renames
    /// <paramref name="temporary"/> over it and syncs the directory.
    /// </summary>
    public static void MoveInto(string temporary, string path)
    {
        string fullPath = Path.GetFullPath(path);
        using ProcessSharing? writerLock = File.Exists(path) ? TakeWriterLock(path) : null;
        using IStorageFile? replaced = File.Exists(path) ? LockForReplacing(path) : null;
        File.Delete(path + "-wal");
        File.Move(temporary, fullPath, overwrite: true);
        FileStorage.Instance.SyncDirectory(fullPath);
    }

    /// <summary>The writer lock every process sees (in the -shm file), held while the database is replaced.</summary>
    private static ProcessSharing TakeWriterLock(string path)
    {
        try
        {
            return ProcessSharing.Join(FileStorage.Instance, path, new PageDbOptions { CreateIfMissing = false });
        }
        catch (DatabaseLockedException)
        {
            throw InUse(path);
        }
    }

    private static IStorageFile LockForReplacing(string path)
    {
        IStorageFile file = FileStorage.Instance.Open(path, StorageOpenMode.ReadWrite);
        if (file.TryLockExclusive())
            return file;
        file.Dispose();
        throw InUse(path);
    }

    private static CliException InUse(string path) =>
        new($"'{path}' is open for writing in another process; close it before replacing it");
}
