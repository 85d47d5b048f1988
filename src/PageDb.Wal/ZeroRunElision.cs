using System.Buffers.Binary;

namespace PageDb.Wal;

/// <summary>
/// Stores a page image without its longest run of zero bytes: the free gap of a slotted page (between its cell
/// pointers and its cells) is zero in most pages, so a leaf logged after a one-row change shrinks to the bytes it
/// uses, with no compression CPU. Stored image:
/// <code>
/// offset size field
///  0     2    run offset (u16): where the zero run starts in the page
///  2     2    run length (u16): MinRun .. 65535 bytes
///  4     n    the page's bytes before the run, then the bytes after it (n = page size - run length)
/// </code>
/// </summary>
internal static class ZeroRunElision
{
    /// <summary>The shortest run worth eliding: shorter runs save too little to pay for the scan and the header.</summary>
    public const int MinRun = 64;

    private const int HeaderSize = 4;

    // Half of MinRun: every run of MinRun - 1 zeros or more covers one whole aligned block of this size.
    private const int BlockSize = MinRun / 2;

    /// <summary>
    /// Writes <paramref name="page"/> without its longest zero run into <paramref name="destination"/> (at least one
    /// page long) and returns the stored length, or 0 when the page has no run of <see cref="MinRun"/> zeros.
    /// </summary>
    public static int TryElide(ReadOnlySpan<byte> page, Span<byte> destination)
    {
        (int offset, int length) = LongestZeroRun(page);
        if (length < MinRun)
            return 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)offset);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], (ushort)length);
        page[..offset].CopyTo(destination[HeaderSize..]);
        page[(offset + length)..].CopyTo(destination[(HeaderSize + offset)..]);
        return HeaderSize + page.Length - length;
    }

    /// <summary>
    /// Rebuilds, in place, the page whose stored image fills the first <paramref name="storedLength"/> bytes of
    /// <paramref name="page"/> (so a frame is read straight into the page buffer, with no second buffer); false when
    /// the image is malformed for this page size.
    /// </summary>
    public static bool TryRestoreInPlace(Span<byte> page, int storedLength)
    {
        if (storedLength < HeaderSize || storedLength > page.Length)
            return false;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(page);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(page[2..]);
        if (length < MinRun || offset + length > page.Length || storedLength != HeaderSize + page.Length - length)
            return false;
        // The bytes after the run move right by length - 4 (> 0), then the bytes before it left by 4: neither move
        // overwrites what the other still has to read (CopyTo handles each move's own overlap).
        page[(HeaderSize + offset)..storedLength].CopyTo(page[(offset + length)..]);
        page[HeaderSize..(HeaderSize + offset)].CopyTo(page);
        page.Slice(offset, length).Clear();
        return true;
    }

    /// <summary>
    /// The longest run of zero bytes (the first of equal ones), at most 65535 long so its length fits a u16, when it is
    /// at least <see cref="MinRun"/> - 1 long; shorter runs may be missed. A run of <see cref="MinRun"/> - 1 or more
    /// zeros always covers a whole aligned block of <see cref="BlockSize"/> bytes, so only such blocks are looked at (a
    /// vectorized test each) and an all-zero one is widened to its run: one pass over the page, however many short zero
    /// runs its cells hold (a substring search for 64 zeros slowed down on exactly those: 8% of a one-row commit).
    /// </summary>
    private static (int Offset, int Length) LongestZeroRun(ReadOnlySpan<byte> page)
    {
        int bestOffset = 0, bestLength = 0, block = 0;
        while (block + BlockSize <= page.Length)
        {
            // A later run covers a whole block at or past this one and starts at most BlockSize - 1 bytes before it
            // (the block before is either part of a run already found or holds a nonzero byte): once no such run can
            // be longer than the best (the first of equal ones is kept), the rest of the page (usually a slotted
            // page's cells, after its gap) is not looked at.
            if (page.Length - block + BlockSize - 1 <= bestLength)
                break;
            if (page.Slice(block, BlockSize).ContainsAnyExcept((byte)0))
            {
                block += BlockSize;
                continue;
            }
            int start = page[..block].LastIndexOfAnyExcept((byte)0) + 1;
            int nonZero = page[block..].IndexOfAnyExcept((byte)0);
            int end = nonZero < 0 ? page.Length : block + nonZero;
            if (end - start > bestLength)
                (bestOffset, bestLength) = (start, end - start);
            block = (end + BlockSize - 1) / BlockSize * BlockSize; // the next run starts after end
        }
        return (bestOffset, Math.Min(bestLength, ushort.MaxValue));
    }
}
