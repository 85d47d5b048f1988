using PageDb.Core.Pages;

namespace PageDb.Wal.Tests;

/// <summary>The header and frame-header layouts (src/PageDb.Wal/WalFormat.cs).</summary>
public sealed class WalFormatTests
{
    [Test]
    public void A_written_header_verifies_and_reads_back()
    {
        byte[] bytes = new byte[WalFormat.HeaderSize];
        var header = new WalHeader(bytes);
        header.Write(8192, databaseId: 77, checkpointSequence: 5, salt1: 1234, salt2: 99);
        header.Verify("x");
        Assert.That((header.PageSize, header.DatabaseId, header.CheckpointSequence, header.Salt1, header.Salt2),
            Is.EqualTo((8192u, 77UL, 5UL, 1234u, 99u)));
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes, 0, 8), Is.EqualTo("PageDbWL"));
    }

    [Test]
    public void Zeroed_space_never_validates_as_a_frame()
    {
        Assert.That(WalWriter.NewSalts().Salt1, Is.Not.Zero);
        byte[] zeros = new byte[WalFormat.FrameHeaderSize];
        Assert.That(new WalFrameHeader(zeros).Salt1, Is.Zero, "a zero salt-1 never equals a header's");
    }

    [TestCase((ushort)0, (ushort)0, 4096)]
    [TestCase((ushort)1, (ushort)100, 100)]
    [TestCase((ushort)1, (ushort)0, -1)]
    [TestCase((ushort)1, (ushort)4096, -1)]
    [TestCase((ushort)0, (ushort)100, -1)]
    [TestCase((ushort)2, (ushort)0, -1)]
    [TestCase((ushort)2, (ushort)1000, 1000)]
    [TestCase((ushort)2, (ushort)4096, -1)]
    [TestCase((ushort)3, (ushort)100, -1)]
    [TestCase((ushort)4, (ushort)100, -1)]
    public void The_stored_length_is_checked(ushort flags, ushort compressedLength, int expected)
    {
        byte[] bytes = new byte[WalFormat.FrameHeaderSize];
        new WalFrameHeader(bytes).Write(new PageNumber(1), 0, 1, 1, 1, FrameEncoding.Page, 4096);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(WalFormat.FrameFlagsOffset), flags);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(WalFormat.FrameCompressedLengthOffset), compressedLength);
        Assert.That(new WalFrameHeader(bytes).StoredLength(4096), Is.EqualTo(expected));
    }

    // FrameEncoding is internal, so a public test method takes its byte value.
    [TestCase((byte)FrameEncoding.Page, 4096, (ushort)0, (ushort)0)]
    [TestCase((byte)FrameEncoding.Zstd, 700, WalFormat.FlagCompressed, (ushort)700)]
    [TestCase((byte)FrameEncoding.ZeroRunElided, 2500, WalFormat.FlagZeroRunElided, (ushort)2500)]
    public void Each_encoding_is_written_as_its_flag_and_read_back(byte encodingValue, int storedLength, ushort flags, ushort lengthField)
    {
        var encoding = (FrameEncoding)encodingValue;
        byte[] bytes = new byte[WalFormat.FrameHeaderSize];
        var header = new WalFrameHeader(bytes);
        header.Write(new PageNumber(1), 0, 1, 1, 1, encoding, storedLength);
        Assert.That((header.Flags, header.CompressedLength, header.Encoding, header.StoredLength(4096)),
            Is.EqualTo((flags, lengthField, encoding, storedLength)));
    }
}
