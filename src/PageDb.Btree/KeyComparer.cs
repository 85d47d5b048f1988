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

    /// <summary>The first 8 bytes of <paramref name="key"/> as a big-endian number, zeros after a shorter key's end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Head(ReadOnlySpan<byte> key)
    {
        if (key.Length >= HeadLength)
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        ulong head = 0;
        for (int i = 0; i < key.Length; i++)
            head = (head << 8) | key[i];
        return key.Length == 0 ? 0 : head << (8 * (HeadLength - key.Length));
    }
}
