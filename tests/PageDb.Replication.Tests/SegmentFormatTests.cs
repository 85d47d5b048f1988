using PageDb.Core.Pages;

namespace PageDb.Replication.Tests;

/// <summary><see cref="SegmentFormat"/>: what it writes reads back, and what is damaged is refused as corruption naming the key.</summary>
public sealed class SegmentFormatTests
{
    private const int PageSize = 4096;

    [Test]
    public void A_segment_reads_back_as_written()
    {
        var info = new SegmentInfo(3, 0x1234, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_123), 42, 10, StateHash);

        (byte[] bytes, ulong checksum) = Encode(info, 0, 4, 9);
        Segment segment = SegmentFormat.Decode(bytes, "g/3.segment", PageSize);

        Assert.That(segment.Info, Is.EqualTo(info));
        Assert.That(segment.Checksum, Is.EqualTo(checksum));
        Assert.That(segment.Pages.Select(p => p.Page.Value), Is.EqualTo(new uint[] { 0, 4, 9 }));
        Assert.That(segment.Pages[1].Image.Span[100], Is.EqualTo(4));
    }

    [TestCase(0, "not a segment")]
    [TestCase(60, "checksum")]
    [TestCase(-1, "checksum")]
    public void A_damaged_byte_is_refused_naming_the_key(int offset, string says)
    {
        (byte[] bytes, _) = Encode(new SegmentInfo(1, 7, DateTimeOffset.UnixEpoch, 1, 5), 0, 1);
        bytes[offset < 0 ? bytes.Length + offset : offset] ^= 0x10;

        var error = Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "g/1.segment", PageSize));

        Assert.That(error!.Message, Does.Contain("g/1.segment").And.Contain(says));
    }

    [Test]
    public void A_truncated_segment_or_one_of_another_page_size_is_refused()
    {
        (byte[] bytes, _) = Encode(new SegmentInfo(1, 7, DateTimeOffset.UnixEpoch, 1, 5), 0, 1);

        Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes[..^100], "k", PageSize));
        Assert.Throws<CorruptDatabaseException>(() => SegmentFormat.Decode(bytes, "k", 2 * PageSize));
    }

    [Test]
    public void A_version_1_segment_without_a_state_hash_still_reads()
    {
        var info = new SegmentInfo(2, 0x99, DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000), 7, 6);
        (byte[] current, _) = Encode(info, 1, 5);
        // Version 1 is version 2 without the 8 bytes of the state hash at 56.
        byte[] bytes = [.. current.AsSpan(0, 56), .. current.AsSpan(64, current.Length - 64 - 8), .. new byte[8]];
        bytes[8] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), System.IO.Hashing.XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));

        Segment segment = SegmentFormat.Decode(bytes, "g/2.segment", PageSize);

        Assert.That(segment.Info, Is.EqualTo(info), "no state hash");
        Assert.That(segment.Pages.Select(p => p.Page.Value), Is.EqualTo(new uint[] { 1, 5 }));
        Assert.That(segment.Pages[1].Image.Span[100], Is.EqualTo(5));
    }

    private const ulong StateHash = 0xfeed_beef_0123_4567;

    private static (byte[] Bytes, ulong Checksum) Encode(SegmentInfo info, params uint[] pages) =>
        SegmentFormat.Encode(info, PageSize, [.. pages.Select(p => new PageNumber(p))], (page, destination) => destination.Fill((byte)page.Value), () => StateHash);
}
