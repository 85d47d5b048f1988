using System.Buffers.Binary;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// For tests that look at the frames each commit appends to the log (count frames, unlogged growth): a database with
/// no automatic checkpoint, which would restart the log between the commits looked at (and a count frame needs its
/// root's page frame in the same generation).
/// </summary>
internal static class QuietLog
{
    public const string WalPath = DbPath + "-wal";
    private const int PageSize = 4096;

    /// <summary>Opens <see cref="TestDatabase.DbPath"/> on <paramref name="storage"/>, checked on dispose, never checkpointed automatically.</summary>
    public static PageDatabase OpenQuiet(IStorage storage, Durability durability = Durability.Normal) =>
        PageDatabase.Open(DbPath, new PageDbOptions
        {
            Storage = storage,
            Durability = durability,
            CacheSizeBytes = 1 << 20,
            CheckpointThresholdBytes = 256L << 20,
            BeforeDispose = AssertIntact,
        });

    /// <summary>Runs <paramref name="change"/> in a write transaction and commits it.</summary>
    public static void Write(PageDatabase db, Action<WriteTransaction> change)
    {
        using WriteTransaction tx = db.BeginWrite();
        change(tx);
        tx.Commit();
    }

    /// <summary>An 8-byte big-endian key: ascending <paramref name="i"/> sort ascending.</summary>
    public static byte[] KeyOf(int i)
    {
        byte[] key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, i);
        return key;
    }

    /// <summary>The frames <paramref name="commit"/> appends to the log's current generation.</summary>
    public static List<WalSurgery.Frame> FramesOf(MemoryStorage storage, Action commit)
    {
        int before = WalSurgery.Frames(storage.GetContents(WalPath), PageSize).Count;
        commit();
        return WalSurgery.Frames(storage.GetContents(WalPath), PageSize)[before..];
    }

    /// <summary>The database and its log as a process killed now leaves them (every write kept).</summary>
    public static MemoryStorage CopyOf(MemoryStorage storage)
    {
        var copy = new MemoryStorage();
        copy.SetContents(DbPath, storage.GetContents(DbPath));
        copy.SetContents(WalPath, storage.GetContents(WalPath));
        return copy;
    }

    /// <summary>The frames' pages and flags, for a failure message.</summary>
    public static string Describe(List<WalSurgery.Frame> frames) =>
        "frames appended: " + string.Join(", ", frames.Select(frame => $"page {frame.Page} flags {frame.Flags}"));
}
