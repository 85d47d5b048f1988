namespace PageDb.Testing.FaultInjection;

/// <summary>
/// A growable byte array with a logical length: the bytes of one file as one view sees them (the durable disk, or the
/// page cache). Bytes past the length are always zero, so growing the length exposes zeros. Not thread-safe: the
/// owning storage's lock protects it.
/// </summary>
internal sealed class ByteImage
{
    private byte[] _bytes = [];

    public long Length { get; private set; }

    public ByteImage Clone() => new() { _bytes = (byte[])_bytes.Clone(), Length = Length };

    public int Read(long offset, Span<byte> destination)
    {
        if (offset >= Length)
            return 0;
        int count = (int)Math.Min(destination.Length, Length - offset);
        _bytes.AsSpan((int)offset, count).CopyTo(destination);
        return count;
    }

    /// <summary>Writes <paramref name="source"/> at <paramref name="offset"/>, growing the length past its end.</summary>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        long end = offset + source.Length;
        EnsureCapacity(end);
        source.CopyTo(_bytes.AsSpan((int)offset));
        Length = Math.Max(Length, end);
    }

    /// <summary>Sets the length: shrinking zeroes the cut bytes (a later growth reads zeros), growing exposes zeros.</summary>
    public void SetLength(long length)
    {
        EnsureCapacity(length);
        if (length < Length)
            _bytes.AsSpan((int)length, (int)(Length - length)).Clear();
        Length = length;
    }

    public byte[] ToArray() => _bytes.AsSpan(0, (int)Length).ToArray();

    private void EnsureCapacity(long length)
    {
        if (length > Array.MaxLength)
            throw new PageDbIOException("(fault-injecting storage)", $"a simulated file cannot grow past {Array.MaxLength} bytes");
        if (length <= _bytes.Length)
            return;
        long capacity = Math.Max(length, Math.Min((long)_bytes.Length * 2, Array.MaxLength));
        Array.Resize(ref _bytes, (int)capacity);
    }
}
