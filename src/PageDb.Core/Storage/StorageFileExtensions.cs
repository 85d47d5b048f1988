namespace PageDb;

/// <summary>Helpers over <see cref="IStorageFile"/> shared by the layers that read whole structures.</summary>
internal static class StorageFileExtensions
{
    /// <summary>
    /// Reads exactly <c>destination.Length</c> bytes at <paramref name="offset"/>; returns false (and leaves the tail of
    /// <paramref name="destination"/> unspecified) when the file ends first.
    /// </summary>
    public static bool TryReadExactly(this IStorageFile file, long offset, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(file);
        int total = 0;
        while (total < destination.Length)
        {
            int read = file.Read(offset + total, destination[total..]);
            if (read == 0)
                return false;
            total += read;
        }
        return true;
    }
}
