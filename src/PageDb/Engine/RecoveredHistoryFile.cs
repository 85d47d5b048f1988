using System.Buffers.Binary;
using System.IO.Hashing;
using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The recovered histories of a replicating database kept beside it (<c>name.pagedb-replica-history</c>), so that a
/// writer killed again before its replicator's first cut can still be continued: each open with replication whose log
/// held commits writes this file, its own <see cref="RecoveredHistory"/> appended to the ones it found, durably and
/// before the truncating checkpoint copies those commits into the database file. At every moment the way from the last
/// shipped state to the database's state is then in the log or in this file. The replicator deletes it once the store
/// acknowledged a cut or a snapshot of this open (from then on the log alone holds the way, as the mark keeps it).
/// <para>
/// Layout (little-endian): "PDBRHST1" (8 bytes); the number of histories (u32); per history, oldest first: complete
/// (u8, 0 or 1), file page count (u32), the number of file pages (u32) and for each its page number (u32), whether its
/// fingerprint is known (u8) and the fingerprint (u64); the number of commits (u32) and for each its page count (u32),
/// the number of its pages (u32) and for each the page number (u32) and fingerprint (u64). Last, the XxHash3 (u64) of
/// every byte before it.
/// </para>
/// Invariants: 1. the file names no database state; it is a claim the replicator checks (each history must end at the
/// state the next one, or the opened state, starts from, page by page), so a stale, damaged or missing file can only
/// make a restart start a new generation, never ship a wrong segment. 2. It is replaced whole (a temporary file, synced,
/// renamed over it, the directory synced), so a crash leaves the old file or the new one. 3. It keeps at most
/// <see cref="MaxHistories"/> histories, the newest.
/// </summary>
internal static class RecoveredHistoryFile
{
    /// <summary>Histories kept: each is a restart whose replicator never cut, so more than a few means the store is gone.</summary>
    public const int MaxHistories = 16;

    private static ReadOnlySpan<byte> Magic => "PDBRHST1"u8;

    /// <summary>Where the file of the database at <paramref name="databasePath"/> is.</summary>
    public static string PathFor(string databasePath) => Path.GetFullPath(databasePath) + "-replica-history";

    /// <summary>
    /// Gives <paramref name="history"/> the earlier histories the file holds, and when it holds commits, writes the file
    /// again with it appended (durably: call before the log is truncated). A file that does not check is ignored.
    /// </summary>
    public static RecoveredHistory Keep(IStorage storage, string databasePath, RecoveredHistory history)
    {
        string path = PathFor(databasePath);
        List<RecoveredHistory> earlier = Load(path);
        if (history.Commits.Count > 0)
            Save(storage, path, [.. earlier, history]);
        return new RecoveredHistory(history.LastCommit, history.Complete, history.FilePageCount, history.FilePages, history.Commits) { Earlier = earlier };
    }

    /// <summary>Deletes the file of the database at <paramref name="databasePath"/>; false when that failed.</summary>
    public static bool Delete(string databasePath)
    {
        try
        {
            File.Delete(PathFor(databasePath));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The histories the file at <paramref name="path"/> holds; none when it is missing or does not check.</summary>
    private static List<RecoveredHistory> Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        try
        {
            return Decode(path, bytes);
        }
        catch (Exception e) when (e is CorruptDatabaseException or EndOfStreamException)
        {
            return []; // advisory (invariant 1): the log alone may still prove the way
        }
    }

    private static List<RecoveredHistory> Decode(string path, byte[] bytes)
    {
        if (bytes.Length < Magic.Length + 12 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || XxHash3.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8)))
            throw new CorruptDatabaseException(path, null, "the replica history file does not check (torn or not one)");
        using var reader = new BinaryReader(new MemoryStream(bytes, Magic.Length, bytes.Length - Magic.Length - 8));
        var histories = new List<RecoveredHistory>();
        for (uint count = reader.ReadUInt32(); count > 0; count--)
        {
            bool complete = reader.ReadByte() != 0;
            uint filePageCount = reader.ReadUInt32();
            var filePages = new Dictionary<uint, ulong?>();
            for (uint n = reader.ReadUInt32(); n > 0; n--)
            {
                uint page = reader.ReadUInt32();
                bool known = reader.ReadByte() != 0;
                ulong fingerprint = reader.ReadUInt64();
                filePages[page] = known ? fingerprint : null;
            }
            var commits = new List<RecoveredHistory.Commit>();
            for (uint n = reader.ReadUInt32(); n > 0; n--)
            {
                uint pageCount = reader.ReadUInt32();
                var pages = new List<(PageNumber, ulong)>();
                for (uint m = reader.ReadUInt32(); m > 0; m--)
                    pages.Add((new PageNumber(reader.ReadUInt32()), reader.ReadUInt64()));
                commits.Add(new RecoveredHistory.Commit(pageCount, pages));
            }
            histories.Add(new RecoveredHistory(WalMark.Empty, complete, filePageCount, filePages, commits));
        }
        return histories;
    }

    private static void Save(IStorage storage, string path, List<RecoveredHistory> histories)
    {
        var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            int first = Math.Max(0, histories.Count - MaxHistories);
            writer.Write((uint)(histories.Count - first));
            foreach (RecoveredHistory history in histories.Skip(first))
                Write(writer, history);
        }
        Span<byte> checksum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, XxHash3.HashToUInt64(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        buffer.Write(checksum);
        DurableFileReplace.Replace(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), storage);
    }

    private static void Write(BinaryWriter writer, RecoveredHistory history)
    {
        writer.Write((byte)(history.Complete ? 1 : 0));
        writer.Write(history.FilePageCount);
        writer.Write((uint)history.FilePages.Count);
        foreach ((uint page, ulong? fingerprint) in history.FilePages)
        {
            writer.Write(page);
            writer.Write((byte)(fingerprint is null ? 0 : 1));
            writer.Write(fingerprint ?? 0);
        }
        writer.Write((uint)history.Commits.Count);
        foreach (RecoveredHistory.Commit commit in history.Commits)
        {
            writer.Write(commit.PageCount);
            writer.Write((uint)commit.Pages.Count);
            foreach ((PageNumber page, ulong fingerprint) in commit.Pages)
            {
                writer.Write(page.Value);
                writer.Write(fingerprint);
            }
        }
    }
}
