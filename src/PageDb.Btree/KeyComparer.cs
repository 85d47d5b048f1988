namespace PageDb.Btree;

/// <summary>
/// The one key order of every tree: unsigned bytes, lexicographic, a proper prefix before any longer key (memcmp, then
/// length). <see cref="MemoryExtensions.SequenceCompareTo{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> over bytes is exactly
/// that, and vectorized.
/// </summary>
internal static class KeyComparer
{
    /// <summary>Negative when <paramref name="left"/> sorts first, zero when equal, positive otherwise.</summary>
    public static int Compare(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => left.SequenceCompareTo(right);

    /// <summary>The number of leading bytes <paramref name="left"/> and <paramref name="right"/> share.</summary>
    public static int CommonPrefixLength(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        left.CommonPrefixLength(right);
}
