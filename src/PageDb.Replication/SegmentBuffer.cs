namespace PageDb.Replication;

/// <summary>A growing byte array that a segment is encoded into, whose end can be cut back (a delta found too large).</summary>
internal sealed class SegmentBuffer(int capacity)
{
    private byte[] _bytes = new byte[Math.Max(capacity, 256)];

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public Span<byte> Written => _bytes.AsSpan(0, Length);

    /// <summary>Adds <paramref name="count"/> bytes at the end and returns them to fill.</summary>
    public Span<byte> Extend(int count)
    {
        if (Length + count > _bytes.Length)
            Array.Resize(ref _bytes, Math.Max(Length + count, 2 * _bytes.Length));
        Length += count;
        return _bytes.AsSpan(Length - count, count);
    }

    /// <summary>Drops the bytes after the first <paramref name="length"/>.</summary>
    public void Truncate(int length) => Length = length;

    /// <summary>The bytes written, as an array of exactly that length.</summary>
    public byte[] ToArray() => Length == _bytes.Length ? _bytes : _bytes.AsSpan(0, Length).ToArray();
}
