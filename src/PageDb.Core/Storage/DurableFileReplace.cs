namespace PageDb;

/// <summary>
/// Replaces a small side file (beside a database: a replica position, kept recovery histories) so that a crash leaves
/// either the old file or the whole new one: the bytes go to <c>path.tmp</c>, which is synced, renamed over
/// the file, and the directory synced so the rename lasts. One writer per path (the caller's lock).
/// </summary>
internal static class DurableFileReplace
{
    /// <summary>Writes <paramref name="content"/> as the whole new file at <paramref name="path"/>.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> content, IStorage directorySync)
    {
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        directorySync.SyncDirectory(path);
    }
}
