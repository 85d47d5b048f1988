namespace PageDb.Engine;

/// <summary>
/// Writes a <see cref="SnapshotCopy"/> to a stream, or to a file path so that the path never holds part of a backup.
/// </summary>
/// <remarks>
/// The order for a path, so that a crash or a failure at any point leaves the old file or the whole new one:
/// 1. the pages are written to a new temporary file beside the target (same directory, so the rename cannot cross file
/// systems); 2. the temporary file is synced; 3. it is renamed over the target; 4. the directory is synced, so the
/// rename lasts. A failure in 1-3 deletes the temporary file.
/// </remarks>
internal static class BackupFile
{
    public static void Write(SnapshotCopy copy, string path, IProgress<BackupProgress>? progress)
    {
        string fullPath = Path.GetFullPath(path);
        if (File.Exists(Wal.WriteAheadLog.PathFor(fullPath)))
            throw new PageDbException($"'{path}' has a WAL file beside it: it is a database in use, whose log would be replayed into the backup. Back up to another path, or remove the database first.");
        string temporary = $"{fullPath}.{Guid.NewGuid():N}.backup";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                Copy(copy, stream, progress);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteQuietly(temporary);
            throw new PageDbIOException(path, "backup", e);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
        FileStorage.Instance.SyncDirectory(fullPath);
    }

    public static async Task CopyAsync(SnapshotCopy copy, Stream destination, IProgress<BackupProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(copy.Progress);
        for (ReadOnlyMemory<byte> batch = copy.NextBatch(); !batch.IsEmpty; batch = copy.NextBatch())
        {
            cancellationToken.ThrowIfCancellationRequested();
            await destination.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            progress?.Report(copy.Progress);
        }
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public static void Copy(SnapshotCopy copy, Stream destination, IProgress<BackupProgress>? progress)
    {
        progress?.Report(copy.Progress);
        for (ReadOnlyMemory<byte> batch = copy.NextBatch(); !batch.IsEmpty; batch = copy.NextBatch())
        {
            destination.Write(batch.Span);
            progress?.Report(copy.Progress);
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failure being reported matters more; a leftover temporary file is named so it cannot be mistaken for a backup.
        }
    }
}
