namespace PageDb.Replication;

/// <summary>
/// The files a replicator copies a new generation's snapshot into while it puts it (<see cref="CopiedSnapshot"/>),
/// beside the database: <c>name.pagedb-replica-spill-{32 hex digits}</c>, a name of its own for every copy. Two
/// replication sessions of one database (<see cref="IDatabaseReplication.Start"/> is public) each copy into their own,
/// and a copy never takes a name another file could have (the fixed name <c>name.pagedb-replica</c> before was deleted
/// at every start: a database called <c>name.pagedb-replica</c> beside it went with it).
/// <para>
/// Invariant: a spill file in use is open with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a share
/// mode on Windows) from its creation until its copy is disposed, which deletes it (<see cref="FileOptions.DeleteOnClose"/>).
/// A file of the pattern that can be opened so is one a killed process left: <see cref="DeleteStale"/> deletes only
/// those. Opening it takes the lock first, so it never deletes a copy in use, in this process or another; on Unix a
/// sweep between a creation's open and its lock would only unlink a name the new copy still reads and writes through
/// its handle.
/// </para>
/// </summary>
internal static class SnapshotSpillFile
{
    private const string Infix = "-replica-spill-";

    /// <summary>Creates a new spill file beside the database at <paramref name="databasePath"/> (a full path), deleted when the stream is disposed.</summary>
    /// <exception cref="IOException">The file could not be created.</exception>
    public static FileStream Create(string databasePath) =>
        new(databasePath + Infix + Guid.NewGuid().ToString("N"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);

    /// <summary>
    /// Deletes the spill files beside the database at <paramref name="databasePath"/> (a full path) that no open
    /// holds: those a killed process left. Failures are ignored (the next start tries again).
    /// </summary>
    public static void DeleteStale(string databasePath)
    {
        try
        {
            foreach (string path in Find(databasePath))
            {
                try
                {
                    // Fails while a copy holds it; else deletes it on close, as its own copy would have.
                    using var stale = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder could not be listed: nothing is deleted.
        }
    }

    /// <summary>The spill files beside the database at <paramref name="databasePath"/>, in use or not.</summary>
    /// <exception cref="IOException">The folder could not be listed.</exception>
    public static List<string> Find(string databasePath)
    {
        string full = Path.GetFullPath(databasePath);
        string prefix = Path.GetFileName(full) + Infix;
        return [.. Directory.EnumerateFiles(Path.GetDirectoryName(full)!).Where(path => Path.GetFileName(path).StartsWith(prefix, StringComparison.Ordinal))];
    }
}
