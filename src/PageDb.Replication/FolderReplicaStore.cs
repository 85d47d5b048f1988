namespace PageDb.Replication;

/// <summary>
/// An <see cref="IReplicaStore"/> in a local (or network-mounted) folder: key "a/b" is the file "a/b" under the root.
/// </summary>
/// <remarks>
/// A put writes a temporary file beside the object (named ".name.random.tmp", which no key can name and a listing
/// skips), syncs it, renames it over the object and syncs the directory, so an object is whole or absent even across
/// a crash (contract invariant 2 of <see cref="IReplicaStore"/>). Directories are created as keys need them, each
/// made durable in its parent. Stateless apart from its root: safe from many threads.
/// A put killed part-way (the process killed, the machine lost) leaves its temporary file behind; a listing deletes
/// those not written for <see cref="StaleTemporaryFileAge"/> (the replicator lists at each start and at each new
/// generation's retention pass, a read replica at each poll). The age, not ownership, decides, because the folder may
/// be shared by several writers (or machines, over NFS) and a put in flight by another one must survive: such a put
/// writes its file continuously and renames it right after its last write, so only a writer stalled for an hour or a
/// clock an hour off between machines sharing the folder could lose one, and even then nothing is damaged: its
/// rename finds no file, the put fails as a <see cref="ReplicaStoreException"/> and the replicator retries it.
/// Every call runs on the caller's thread and returns a completed task (.NET on Unix does file I/O synchronously
/// anyway, on a pool thread when asked for async), so the replicator's and a read replica's own threads use a folder
/// without needing the thread pool (a get that awaited a pool thread stalled a replica whose pool was busy).
/// </remarks>
public sealed class FolderReplicaStore : IReplicaStore
{
    /// <summary>How long a put's temporary file must have gone unwritten before a listing deletes it as stale.</summary>
    internal static readonly TimeSpan StaleTemporaryFileAge = TimeSpan.FromHours(1);

    private const string TemporarySuffix = ".tmp";
    private const int TemporaryIdLength = 32; // a Guid as 32 hex digits ("N")

    private readonly string _root;

    /// <summary>A store rooted at <paramref name="root"/>, which is created on the first put when missing.</summary>
    public FolderReplicaStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root);
    }

    /// <inheritdoc/>
    public override string ToString() => $"folder '{_root}'";

    /// <inheritdoc/>
    public Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        cancellationToken.ThrowIfCancellationRequested();
        string path = PathOf(key);
        string temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            EnsureDirectory(Path.GetDirectoryName(path)!);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                content.CopyTo(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            FileStorage.Instance.SyncDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PageDbIOException)
        {
            DeleteQuietly(temporary);
            throw Failure("put", key, e);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        ArgumentNullException.ThrowIfNull(destination);
        FileStream file;
        try
        {
            file = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("get", key, e);
        }
        using (file)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                file.CopyTo(destination);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure("get", key, e);
            }
        }
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ReplicaKey.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        var objects = new List<ReplicaObject>();
        if (!Directory.Exists(_root))
            return Task.FromResult<IReadOnlyList<ReplicaObject>>(objects);
        DateTime staleBefore = DateTime.UtcNow - StaleTemporaryFileAge;
        try
        {
            foreach (FileInfo file in new DirectoryInfo(_root).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                string key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (IsTemporary(key))
                {
                    if (IsPutTemporary(file.Name) && file.LastWriteTimeUtc < staleBefore)
                        DeleteQuietly(file.FullName);
                }
                else if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    objects.Add(new ReplicaObject(key, file.Length));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("list", prefix, e);
        }
        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult<IReadOnlyList<ReplicaObject>>(objects);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ReplicaKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // No folder, so no object: deleting a missing key succeeds.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("delete", key, e);
        }
        return Task.CompletedTask;
    }

    private string PathOf(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>A file no key can name: a temporary file of a put, or anything else hidden.</summary>
    private static bool IsTemporary(string key) => key.StartsWith('.') || key.Contains("/.", StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="fileName"/> has the shape of a put's temporary file, ".name.{32 hex digits}.tmp", so
    /// hidden files of anyone else in the folder are never deleted.
    /// </summary>
    private static bool IsPutTemporary(string fileName)
    {
        int idStart = fileName.Length - TemporarySuffix.Length - TemporaryIdLength;
        return idStart >= 3 && fileName[0] == '.' && fileName[idStart - 1] == '.'
            && fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal)
            && Guid.TryParseExact(fileName.AsSpan(idStart, TemporaryIdLength), "N", out _);
    }

    /// <summary>Creates <paramref name="directory"/> and any missing parents, each made durable in its own parent.</summary>
    private static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
            return;
        string? parent = Path.GetDirectoryName(directory);
        if (parent is not null)
            EnsureDirectory(parent);
        Directory.CreateDirectory(directory);
        FileStorage.Instance.SyncDirectory(directory);
    }

    private ReplicaStoreException Failure(string operation, string key, Exception e) => new(ToString(), operation, key, e);

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failure being reported (or the listing) matters more; a leftover temporary file is never listed,
            // and a later listing tries again to delete a stale one.
        }
    }
}
