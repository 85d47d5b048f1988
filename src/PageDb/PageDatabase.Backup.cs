using PageDb.Engine;

namespace PageDb;

public sealed partial class PageDatabase
{
    /// <summary>
    /// Writes a copy of the latest committed state to <paramref name="path"/> while writers go on: the snapshot of the
    /// moment the call began, as a complete database file that needs no WAL. The copy is written beside the target,
    /// synced, and renamed over it (then the directory is synced), so the path holds the whole backup or what it held
    /// before, never part of one. Holds a read transaction, not the write lock, for the length of the copy.
    /// </summary>
    /// <param name="path">The backup file, on the file system whatever storage this database uses (so an in-memory
    /// database can be saved this way); an existing file there is replaced.</param>
    /// <param name="progress">Told the pages copied so far after each batch of pages.</param>
    /// <exception cref="PageDbIOException">The target could not be written (for example, its directory is read-only or
    /// the disk is full); nothing is left at <paramref name="path"/> or beside it.</exception>
    /// <exception cref="PageDbException">A WAL file exists beside <paramref name="path"/>: that path is a database in
    /// use, and its log would be replayed into the backup when it is opened.</exception>
    /// <exception cref="CorruptDatabaseException">A page of this database fails its checksum.</exception>
    public void Backup(string path, IProgress<BackupProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfDisposed();
        using var copy = new SnapshotCopy(BeginRead());
        BackupFile.Write(copy, path, progress);
    }

    /// <summary>
    /// Writes a copy of the latest committed state to <paramref name="destination"/> while writers go on: the snapshot
    /// of the moment the call began, as the bytes of a complete database file that needs no WAL (see
    /// <see cref="Backup"/>). The stream is written from its current position and flushed, not closed.
    /// </summary>
    /// <param name="destination">A writable stream.</param>
    /// <param name="progress">Told the pages copied so far after each batch of pages.</param>
    /// <param name="cancellationToken">Stops the copy between batches; the stream then holds part of a file.</param>
    /// <exception cref="CorruptDatabaseException">A page of this database fails its checksum.</exception>
    public async Task BackupAsync(Stream destination, IProgress<BackupProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfDisposed();
        using var copy = new SnapshotCopy(BeginRead());
        await BackupFile.CopyAsync(copy, destination, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="BackupAsync(Stream, IProgress{BackupProgress}?, CancellationToken)"/> without progress reports, so
    /// that <c>BackupAsync(stream, cancellationToken)</c> reads as it is called.
    /// </summary>
    /// <param name="destination">A writable stream.</param>
    /// <param name="cancellationToken">Stops the copy between batches; the stream then holds part of a file.</param>
    /// <exception cref="CorruptDatabaseException">A page of this database fails its checksum.</exception>
    public Task BackupAsync(Stream destination, CancellationToken cancellationToken) =>
        BackupAsync(destination, progress: null, cancellationToken);
}
