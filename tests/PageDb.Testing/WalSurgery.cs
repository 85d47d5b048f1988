using System.Buffers.Binary;
using PageDb.Core.Pages;
using PageDb.Wal;

namespace PageDb.Testing;

/// <summary>
/// Changes a WAL file image the way a buggy tool or an attacker would: fields of frames or of the header changed, then
/// the header checksum and the whole frame checksum chain recomputed, so recovery accepts the change and what meets it
/// are the checks behind the chain (layout in docs/FORMAT.md, "The write-ahead log").
/// </summary>
internal static class WalSurgery
{
    /// <summary>Where a frame is and what its header says.</summary>
    public readonly record struct Frame(int Offset, uint Page, uint CommitSize, int StoredLength, ushort Flags)
    {
        /// <summary>True for a count frame (docs/FORMAT.md, "Count frames"), false for a frame holding a page image.</summary>
        public bool IsCount => Flags == WalFormat.FlagCount;

        /// <summary>Where the stored image starts.</summary>
        public int ImageOffset => Offset + WalFormat.FrameHeaderSize;
    }

    /// <summary>The frames of the log's current generation, in order, up to the first whose salts or length do not fit.</summary>
    public static List<Frame> Frames(byte[] wal, int pageSize)
    {
        var frames = new List<Frame>();
        if (wal.Length < WalFormat.HeaderSize)
            return frames;
        var header = new WalHeader(wal);
        for (int offset = WalFormat.HeaderSize; offset + WalFormat.FrameHeaderSize <= wal.Length;)
        {
            var frame = new WalFrameHeader(wal.AsSpan(offset));
            int stored = frame.StoredLength(pageSize);
            if (frame.Salt1 != header.Salt1 || frame.Salt2 != header.Salt2 || stored < 0 || offset + WalFormat.FrameSize(stored) > wal.Length)
                break;
            frames.Add(new Frame(offset, frame.Page.Value, frame.CommitSize, stored, frame.Flags));
            offset += WalFormat.FrameSize(stored);
        }
        return frames;
    }

    /// <summary>Sets frame <paramref name="frame"/>'s commit field (the database size at a commit, 0 elsewhere).</summary>
    public static void SetCommitSize(byte[] wal, Frame frame, uint commitSize) =>
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(frame.Offset + WalFormat.FrameCommitOffset), commitSize);

    /// <summary>Sets frame <paramref name="frame"/>'s page number.</summary>
    public static void SetPage(byte[] wal, Frame frame, uint page) =>
        BinaryPrimitives.WriteUInt32LittleEndian(wal.AsSpan(frame.Offset + WalFormat.FramePageOffset), page);

    /// <summary>
    /// The log rewritten with every frame of <paramref name="wal"/> stored as a whole page (zero-run elided images
    /// restored, count frames made into their base's page with the count put in; flags and stored length 0) and the
    /// chain recomputed, so a frame's page can be changed in place.
    /// </summary>
    public static byte[] ExpandFrames(byte[] wal, int pageSize)
    {
        List<Frame> frames = Frames(wal, pageSize);
        var expanded = new byte[WalFormat.HeaderSize + (frames.Count * WalFormat.FrameSize(pageSize))];
        wal.AsSpan(0, WalFormat.HeaderSize).CopyTo(expanded);
        var rewritten = new List<Frame>(frames.Count);
        var newestImage = new Dictionary<uint, int>(); // page -> offset of its newest whole image in expanded
        int offset = WalFormat.HeaderSize;
        foreach (Frame frame in frames)
        {
            Span<byte> target = expanded.AsSpan(offset, WalFormat.FrameSize(pageSize));
            wal.AsSpan(frame.Offset, WalFormat.FrameHeaderSize).CopyTo(target);
            BinaryPrimitives.WriteUInt32LittleEndian(target[WalFormat.FrameFlagsOffset..], 0); // flags and stored length
            Span<byte> image = target[WalFormat.FrameHeaderSize..];
            if (frame.IsCount)
                PutCount(expanded.AsSpan(newestImage[frame.Page], pageSize), wal.AsSpan(frame.ImageOffset, frame.StoredLength), image, frame.Page);
            else
                RestoreImage(wal.AsSpan(frame.ImageOffset, frame.StoredLength), image);
            newestImage[frame.Page] = offset + WalFormat.FrameHeaderSize;
            rewritten.Add(frame with { Offset = offset, StoredLength = pageSize });
            offset += WalFormat.FrameSize(pageSize);
        }
        Rechain(expanded, rewritten);
        return expanded;
    }

    /// <summary>Writes the page a count frame holds: its base's image with the count put in, sealed (docs/FORMAT.md, "Count frames").</summary>
    private static void PutCount(ReadOnlySpan<byte> baseImage, ReadOnlySpan<byte> count, Span<byte> page, uint number)
    {
        baseImage.CopyTo(page);
        count.CopyTo(page[WalFormat.CountFieldOffset..]);
        PageHeader.Seal(page, new PageNumber(number));
    }

    /// <summary>Writes the page a stored image holds: whole, or zero-run elided (docs/FORMAT.md, "Zero-run elision").</summary>
    private static void RestoreImage(ReadOnlySpan<byte> stored, Span<byte> page)
    {
        if (stored.Length == page.Length)
        {
            stored.CopyTo(page);
            return;
        }
        int runOffset = BinaryPrimitives.ReadUInt16LittleEndian(stored);
        int runLength = BinaryPrimitives.ReadUInt16LittleEndian(stored[2..]);
        ReadOnlySpan<byte> kept = stored[4..];
        kept[..runOffset].CopyTo(page);
        page.Slice(runOffset, runLength).Clear();
        kept[runOffset..].CopyTo(page[(runOffset + runLength)..]);
    }

    /// <summary>Recomputes the header checksum and then every frame's chained checksum, in order, over <paramref name="frames"/>.</summary>
    public static void Rechain(byte[] wal, IReadOnlyList<Frame> frames)
    {
        var header = new WalHeader(wal);
        BinaryPrimitives.WriteUInt64LittleEndian(wal.AsSpan(WalFormat.HeaderChecksumOffset), header.ComputeChecksum());
        ulong chain = header.Checksum;
        foreach (Frame frame in frames)
        {
            Span<byte> bytes = wal.AsSpan(frame.Offset, WalFormat.FrameSize(frame.StoredLength));
            chain = WalFormat.FrameChecksum(chain, bytes, frame.StoredLength);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[WalFormat.FrameChecksumOffset..], chain);
        }
    }
}
