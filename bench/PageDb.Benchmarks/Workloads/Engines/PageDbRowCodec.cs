using System.Buffers.Binary;
using System.Text;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// How the key-value adapter stores a row: the key is the id as 8 bytes big-endian with the sign bit flipped (so
/// byte order is numeric order, negatives first); the value is the 8-byte little-endian double, then the name and the
/// payload, each as a u16 length and UTF-8 bytes. Every key-value adapter (<c>pagedb-kv</c>, <c>lmdb</c>, <c>rocksdb</c>)
/// stores these bytes, so their file sizes and read costs compare like for like.
/// </summary>
internal static class PageDbRowCodec
{
    public const int KeyLength = 8;

    public static void WriteKey(long id, Span<byte> key) =>
        BinaryPrimitives.WriteUInt64BigEndian(key, (ulong)id ^ (1UL << 63));

    /// <summary>Encodes the value part of <paramref name="row"/> into <paramref name="buffer"/>; returns its length.</summary>
    public static int WriteValue(in BenchRow row, Span<byte> buffer)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(buffer, row.Value);
        int at = 8;
        at += WriteString(row.Name, buffer[at..]);
        at += WriteString(row.Payload, buffer[at..]);
        return at;
    }

    /// <summary>
    /// Encodes the value part of <paramref name="row"/> into <paramref name="buffer"/>, replaced by a larger one first
    /// when it may be too small; returns the encoded bytes.
    /// </summary>
    public static ReadOnlySpan<byte> EncodeValue(in BenchRow row, ref byte[] buffer)
    {
        int max = MaxValueLength(row);
        if (buffer.Length < max)
            buffer = new byte[max];
        return buffer.AsSpan(0, WriteValue(row, buffer));
    }

    /// <summary>The largest encoded value of <paramref name="row"/>.</summary>
    public static int MaxValueLength(in BenchRow row) =>
        8 + 4 + Encoding.UTF8.GetMaxByteCount(row.Name.Length) + Encoding.UTF8.GetMaxByteCount(row.Payload.Length);

    public static double ReadValueColumn(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadDoubleLittleEndian(value);

    public static BenchRow ReadRow(long id, ReadOnlySpan<byte> value)
    {
        int at = 8;
        string name = ReadString(value, ref at);
        string payload = ReadString(value, ref at);
        return new BenchRow(id, name, ReadValueColumn(value), payload);
    }

    private static int WriteString(string text, Span<byte> destination)
    {
        int length = Encoding.UTF8.GetBytes(text, destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)length);
        return 2 + length;
    }

    private static string ReadString(ReadOnlySpan<byte> value, ref int at)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(value[at..]);
        string text = Encoding.UTF8.GetString(value.Slice(at + 2, length));
        at += 2 + length;
        return text;
    }
}
