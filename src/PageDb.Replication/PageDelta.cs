using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// <paramref name="output"/> or take at least a page, or a run would not fit a u16 (ship it whole). Both versions are
    /// whole pages of one size: the comparisons read them a vector at a time without bounds checks.
    /// </summary>
    /// <exception cref="ArgumentException">The two versions differ in length.</exception>
    public static bool TryEncode(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, Span<byte> output, out int written)
    {
        if (before.Length != after.Length)
            throw new ArgumentException($"The versions compared are {before.Length} and {after.Length} bytes: a delta is between two pages of one size.", nameof(before));
        written = 0;
        int limit = Math.Min(output.Length, after.Length - 1);
        int position = 0;
        while (true)
        {
            position += EqualPrefix(before[position..], after[position..]);
            if (position == after.Length)
                return true;
            int runStart = position;
            int runEnd = RunEnd(before, after, runStart);
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

    /// <summary>
    /// Writes the delta of one run, bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// of <paramref name="after"/>, to the start of <paramref name="output"/> and returns its length: the delta from any
    /// version that differs from <paramref name="after"/> only there (a count frame's page: the commit compared it).
    /// </summary>
    public static int EncodeRun(ReadOnlySpan<byte> after, int offset, int length, Span<byte> output)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(output, (ushort)offset);
        BinaryPrimitives.WriteUInt16LittleEndian(output[2..], (ushort)length);
        after.Slice(offset, length).CopyTo(output[RunHeader..]);
        return RunHeader + length;
    }

    /// <summary>True when the runs of <paramref name="payload"/> (a valid delta) write every byte of [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>).</summary>
    public static bool Covers(ReadOnlySpan<byte> payload, int offset, int length)
    {
        while (payload.Length >= RunHeader)
        {
            int start = BinaryPrimitives.ReadUInt16LittleEndian(payload);
            int runLength = BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]);
            if (start > offset)
                return false; // runs ascend: none later starts at or before it
            if (start + runLength >= offset + length)
                return true;
            payload = payload[Math.Min(payload.Length, RunHeader + runLength)..];
        }
        return false;
    }

    /// <summary>
    /// How many bytes <paramref name="before"/> and <paramref name="after"/> (of a length) have in common from their
    /// start: as <see cref="MemoryExtensions.CommonPrefixLength{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>, which compares
    /// 16 bytes at a time, 64 where the machine can: a page's equal stretches, most of its 4 KiB, were half of the
    /// encoding's samples on the writer's thread (docs/benchmarks.md, "Replication: the hand-over and the cut").
    /// </summary>
    private static int EqualPrefix(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after)
    {
        if (!Vector512.IsHardwareAccelerated)
            return before.CommonPrefixLength(after);
        ref byte first = ref MemoryMarshal.GetReference(before);
        ref byte second = ref MemoryMarshal.GetReference(after);
        int position = 0;
        for (; position <= after.Length - Vector512<byte>.Count; position += Vector512<byte>.Count)
        {
            ulong differing = ~Vector512.Equals(Vector512.LoadUnsafe(ref first, (nuint)position), Vector512.LoadUnsafe(ref second, (nuint)position)).ExtractMostSignificantBits();
            if (differing != 0)
                return position + BitOperations.TrailingZeroCount(differing);
        }
        return position + before[position..].CommonPrefixLength(after[position..]);
    }

    /// <summary>
    /// The end of the run that starts with the differing byte at <paramref name="runStart"/>: the first position after
    /// it where <see cref="MergeGap"/> equal bytes start (or fewer, equal up to the page's end), or the page's end. So
    /// the run takes in every difference less than <see cref="MergeGap"/> bytes after its last one. A rewritten cell or
    /// a shifted slot array differs in most of its bytes: compared 32 at a time, a mask of the equal bytes gives every
    /// position where <see cref="MergeGap"/> (4: the three shifts) equal ones start, where a loop compared a byte at a
    /// time (a sixth of the encoding's samples).
    /// </summary>
    private static int RunEnd(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, int runStart)
    {
        const int Window = 32; // Vector256<byte>.Count
        const uint WholeGaps = (1u << (Window - MergeGap + 1)) - 1; // gap starts whose MergeGap bytes all lie in the window
        int position = runStart + 1;
        int length = after.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            ref byte first = ref MemoryMarshal.GetReference(before);
            ref byte second = ref MemoryMarshal.GetReference(after);
            while (position <= length - Window)
            {
                uint equal = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)position), Vector256.LoadUnsafe(ref second, (nuint)position)).ExtractMostSignificantBits();
                uint gaps = equal & (equal >> 1) & (equal >> 2) & (equal >> 3) & WholeGaps; // bit i: bytes i to i + 3 are equal
                if (gaps != 0)
                    return position + BitOperations.TrailingZeroCount(gaps);
                position += Window - MergeGap + 1;
            }
        }
        for (; position < length; position++)
        {
            int end = Math.Min(position + MergeGap, length);
            int equal = position;
            while (equal < end && before[equal] == after[equal])
                equal++;
            if (equal == end)
                return position;
        }
        return length;
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
