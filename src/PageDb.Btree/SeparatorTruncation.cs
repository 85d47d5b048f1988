using System.Diagnostics;

namespace PageDb.Btree;

/// <summary>
/// Suffix truncation: the separator pushed up by a leaf split (or a redistribution) is the shortest byte string s
/// with left &lt; s &lt;= right, where left is the last key of the left page and right the first key of the right
/// page. That is right's first (common prefix + 1) bytes: anything shorter is a prefix of left and so not above it.
/// Short separators mean more children per interior page, so shallower trees.
/// </summary>
internal static class SeparatorTruncation
{
    /// <summary>The shortest separator between <paramref name="left"/> and <paramref name="right"/> (a slice of right).</summary>
    public static ReadOnlySpan<byte> Shortest(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Debug.Assert(KeyComparer.Compare(left, right) < 0, "separator asked for keys out of order");
        return right[..(KeyComparer.CommonPrefixLength(left, right) + 1)];
    }
}
