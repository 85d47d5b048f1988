namespace PageDb;

/// <summary>
/// One open file: positional reads and writes, sync, length and truncation, and an exclusive writer lock.
/// Safe for concurrent positional reads and writes from many threads (no shared file position).
/// Every failure is reported as <see cref="PageDbIOException"/>; a failed <see cref="Sync"/> means the data
/// written since the last successful sync may be lost, and callers must treat it as fatal.
/// </summary>
public interface IStorageFile : IDisposable
{
    /// <summary>The path this file was opened with.</summary>
    string Path { get; }

    /// <summary>The current length of the file in bytes.</summary>
    long Length { get; }

    /// <summary>
    /// Reads up to <c>destination.Length</c> bytes at <paramref name="offset"/> and returns how many were read:
    /// fewer only when the end of the file is reached.
    /// </summary>
    int Read(long offset, Span<byte> destination);

    /// <summary>Writes all of <paramref name="source"/> at <paramref name="offset"/>, growing the file when needed.</summary>
    void Write(long offset, ReadOnlySpan<byte> source);

    /// <summary>
    /// Makes every write so far durable. With <paramref name="includeMetadata"/> false, only file data (and the file
    /// size) is guaranteed, like fdatasync; with true, all metadata too, like fsync.
    /// </summary>
    void Sync(bool includeMetadata = false);

    /// <summary>Sets the file's length, truncating or extending it with zeros.</summary>
    void SetLength(long length);

    /// <summary>
    /// Takes this process's exclusive writer lock on the file, or returns false at once when another holder has it.
    /// The lock is released when the file is disposed.
    /// </summary>
    bool TryLockExclusive();
}
