using PageDb.Core.Buffers;
using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// How the engine names page versions in the buffer pool (<see cref="PageKey.Version"/>):
/// 0 is the database file's copy; a WAL frame's copy is its frame index (global and never reused within one open, so
/// versions from different WAL generations cannot collide); a write transaction's private copies carry the top bit
/// and the transaction's sequence number.
/// </summary>
internal static class PageVersions
{
    private const ulong PrivateBit = 1UL << 63;

    public static PageKey FromFrame(PageNumber page, FrameIndex frame) => new(page, (ulong)frame.Value);

    public static PageKey Private(PageNumber page, ulong transactionSequence) => new(page, PrivateBit | transactionSequence);

    public static bool IsPrivate(PageKey key) => (key.Version & PrivateBit) != 0;

    public static bool IsFile(PageKey key) => key.Version == 0;

    public static FrameIndex Frame(PageKey key) => new((long)key.Version);
}
