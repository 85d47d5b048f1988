using System.Buffers.Binary;

namespace PageDb.Replication;

/// <summary>
/// A page version as the byte ranges in which it differs from the version before it: what a version 3 segment
/// (<see cref="SegmentFormat"/>) holds for a page a commit rewrote, since a one-row commit changes a few dozen bytes of
/// its leaf (a cell, its pointer, the header's counts and the page checksum) and shipping whole pages per commit would
/// multiply a segment's size by the commits that rewrote the page.
/// <code>
/// repeated until the payload ends (little-endian):
///   2   offset (u16) of the run in the page
///   2   length (u16) of the run, at least 1
///   n   the run's bytes in the new version
/// </code>
/// Invariants (a payload breaking them is damaged): runs ascend without overlapping and lie inside the page. Runs less
/// than <see cref="MergeGap"/> bytes apart are written as one (a run costs 4 bytes of header).
/// </summary>
internal static class PageDelta
{
    private const int RunHeader = 4;
    private const int MergeGap = RunHeader;

    /// <summary>
    /// Appends the runs that turn <paramref name="before"/> into <paramref name="after"/> to <paramref name="output"/>;
    /// false (and nothing appended) when they would take at least a page, or a run would not fit a u16 (ship it whole).
    /// </summary>
    public static bool TryEncode(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, SegmentBuffer output)
    {
        int start = output.Length;
        bool encoded = TryEncode(before, after, output.Extend(after.Length - 1), out int written);
        output.Truncate(encoded ? start + written : start);
        return encoded;
    }

    /// <summary>
    /// Writes the runs that turn <paramref name="before"/> into <paramref name="after"/> to the start of
    /// <paramref name="output"/> and sets <paramref name="written"/> to their length; false when they would not fit
    /// <paramref name="output"/> or take at least a page, or a run would not fit a u16 (ship it whole).
    /// </summary>
    public static bool TryEncode(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, Span<byte> output, out int written)
    {
        written = 0;
        int limit = Math.Min(output.Length, after.Length - 1);
        int position = 0;
        while (true)
        {
            int same = before[position..].CommonPrefixLength(after[position..]);
            position += same;
            if (position == after.Length)
                return true;
            int runStart = position;
            int runEnd = runStart + 1;
            // Extend the run while the next difference is within MergeGap bytes of its end. Compared a byte at a time:
            // a rewritten cell or a shifted slot array differs in most bytes, and a vectorized call per byte was most
            // of a step-per-commit cut's time.
            while (runEnd < after.Length)
            {
                int gap = 0;
                while (gap < MergeGap && runEnd + gap < after.Length && before[runEnd + gap] == after[runEnd + gap])
                    gap++;
                if (gap >= MergeGap || runEnd + gap == after.Length)
                    break;
                runEnd += gap + 1;
            }
            int length = runEnd - runStart;
            if (length > ushort.MaxValue || written + RunHeader + length > limit)
                return false;
            Span<byte> run = output.Slice(written, RunHeader + length);
            BinaryPrimitives.WriteUInt16LittleEndian(run, (ushort)runStart);
            BinaryPrimitives.WriteUInt16LittleEndian(run[2..], (ushort)length);
            after[runStart..runEnd].CopyTo(run[RunHeader..]);
            written += RunHeader + length;
            position = runEnd;
        }
    }

    /// <summary>Applies <paramref name="payload"/> to <paramref name="page"/> (the version before it), in place.</summary>
    /// <returns>Null, or what is wrong with the payload (the page is then partly changed).</returns>
    public static string? TryApply(ReadOnlySpan<byte> payload, Span<byte> page)
    {
        int end = 0;
        while (!payload.IsEmpty)
        {
            if (payload.Length < RunHeader)
                return "a delta run is cut short";
            int offset = BinaryPrimitives.ReadUInt16LittleEndian(payload);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]);
            if (length == 0 || offset < end || offset + length > page.Length || payload.Length < RunHeader + length)
                return $"a delta run ({offset}, {length}) is out of order, empty or past the page";
            payload.Slice(RunHeader, length).CopyTo(page[offset..]);
            end = offset + length;
            payload = payload[(RunHeader + length)..];
        }
        return null;
    }
}
