using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace PageDb.Btree;

/// <summary>
/// The one key order of every tree: unsigned bytes, lexicographic, a proper prefix before any longer key (memcmp, then
/// length). <see cref="MemoryExtensions.SequenceCompareTo{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> over bytes is exactly
/// that, and vectorized. Most comparisons of a search are decided by the leading 8 bytes, so those are compared first
/// as one big-endian number, a shorter key padded with zeros: when the heads differ they order the keys; when they are
/// equal and one key is shorter than 8 bytes, it is a prefix of the other (or equal to it) and the lengths decide.
/// </summary>
internal static class KeyComparer
{
    private const int HeadLength = sizeof(ulong);

    /// <summary>Negative when <paramref name="left"/> sorts first, zero when equal, positive otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        ulong leftHead = Head(left);
        ulong rightHead = Head(right);
        if (leftHead != rightHead)
            return leftHead < rightHead ? -1 : 1;
        if (left.Length < HeadLength || right.Length < HeadLength)
            return left.Length.CompareTo(right.Length);
        return left[HeadLength..].SequenceCompareTo(right[HeadLength..]);
    }

    /// <summary>The number of leading bytes <paramref name="left"/> and <paramref name="right"/> share.</summary>
    public static int CommonPrefixLength(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        left.CommonPrefixLength(right);

    /// <summary>
    /// The first 8 bytes of <paramref name="key"/> as a big-endian number, zeros after a shorter key's end. A key of
    /// 2-7 bytes (a table's compact integer key is 1-9) is read as two overlapping big-endian words, the first at the
    /// top and the last shifted to end at the key's last byte, rather than byte by byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Head(ReadOnlySpan<byte> key)
    {
        int length = key.Length;
        if (length >= HeadLength)
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        int tailShift = 8 * (HeadLength - length);
        if (length >= sizeof(uint))
        {
            return ((ulong)BinaryPrimitives.ReadUInt32BigEndian(key) << 32)
                | ((ulong)BinaryPrimitives.ReadUInt32BigEndian(key[(length - sizeof(uint))..]) << tailShift);
        }
        if (length >= sizeof(ushort))
        {
            return ((ulong)BinaryPrimitives.ReadUInt16BigEndian(key) << 48)
                | ((ulong)BinaryPrimitives.ReadUInt16BigEndian(key[(length - sizeof(ushort))..]) << tailShift);
        }
        return length == 0 ? 0 : (ulong)key[0] << 56;
    }
}
