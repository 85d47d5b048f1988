using System.Buffers.Binary;

namespace PageDb.Btree;

/// <summary>
/// The one key order of every tree: unsigned bytes, lexicographic, a proper prefix before any longer key (memcmp, then
/// length). <see cref="MemoryExtensions.SequenceCompareTo{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> over bytes is exactly
/// that, and vectorized; keys of 8 bytes or more first compare their leading 8 bytes as one big-endian number (the
/// same order), which decides most comparisons of a search without the call.
/// </summary>
internal static class KeyComparer
{
    /// <summary>Negative when <paramref name="left"/> sorts first, zero when equal, positive otherwise.</summary>
    public static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length >= sizeof(ulong) && right.Length >= sizeof(ulong))
        {
            ulong leftHead = BinaryPrimitives.ReadUInt64BigEndian(left);
            ulong rightHead = BinaryPrimitives.ReadUInt64BigEndian(right);
            if (leftHead != rightHead)
                return leftHead < rightHead ? -1 : 1;
            return left[sizeof(ulong)..].SequenceCompareTo(right[sizeof(ulong)..]);
        }
        return left.SequenceCompareTo(right);
    }

    /// <summary>The number of leading bytes <paramref name="left"/> and <paramref name="right"/> share.</summary>
    public static int CommonPrefixLength(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        left.CommonPrefixLength(right);
}
