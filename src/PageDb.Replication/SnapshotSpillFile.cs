using System.Buffers;

namespace PageDb.Replication;

/// <summary>
/// The files a replicator copies a new generation's snapshot into while it puts it (<see cref="CopiedSnapshot"/>),
/// beside the database: <c>name.pagedb-replica-spill-{32 lowercase hex digits}</c>, a name of its own for every copy. Two
/// replication sessions of one database (<see cref="IDatabaseReplication.Start"/> is public) each copy into their own,
/// and a copy never takes a name another file could have (the fixed name <c>name.pagedb-replica</c> before was deleted
/// at every start: a database called <c>name.pagedb-replica</c> beside it went with it).
/// <para>
/// Invariant: a spill file in use is open with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a share
/// mode on Windows) from its creation until its copy is disposed, which deletes it (<see cref="FileOptions.DeleteOnClose"/>).
/// A file of the pattern that can be opened so is one a killed process left: <see cref="DeleteStale"/> deletes only
/// those. Opening it takes the lock first, so it never deletes a copy in use, in this process or another. On Unix a
/// creation's open and its lock are two steps: a sweep between them takes the lock first, so the creator's lock fails,
/// <see cref="Create"/> throws an <see cref="IOException"/> and the sweep deletes the new file; the replicator records
/// that failure and copies again later, as after a failed put.
/// </para>
/// <para>
/// Only a name of exactly the pattern is a spill file: a file whose name merely starts so (a database called
/// <c>name.pagedb-replica-spill-x</c>, its log) is someone else's and is never deleted. Nor is a
/// <c>name.pagedb-replica</c> that a kill left under the earlier fixed name: its bytes are a backup's, a database
/// image, so nothing proves it a spill file rather than a user's database or backup of that name.
/// </para>
/// </summary>
internal static class SnapshotSpillFile
{
    private const string Infix = "-replica-spill-";

    /// <summary>The length of a spill file's own part of its name: a <see cref="Guid"/> as <c>"N"</c> formats it.</summary>
    private const int IdLength = 32;

    private static readonly SearchValues<char> LowercaseHexDigits = SearchValues.Create("0123456789abcdef");

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
        return [.. Directory.EnumerateFiles(Path.GetDirectoryName(full)!).Where(path => IsSpillName(Path.GetFileName(path), prefix))];
    }

    /// <summary>True when <paramref name="fileName"/> is <paramref name="prefix"/> followed by exactly the id <see cref="Create"/> gives.</summary>
    private static bool IsSpillName(string fileName, string prefix) =>
        fileName.Length == prefix.Length + IdLength
        && fileName.StartsWith(prefix, StringComparison.Ordinal)
        && !fileName.AsSpan(prefix.Length).ContainsAnyExcept(LowercaseHexDigits);
}
