namespace PageDb.Records;

/// <summary>
/// A reusable, growing byte buffer that keys and records are encoded into, so encoding allocates nothing once it
/// is large enough. Not thread-safe: each table and operator owns its own.
/// </summary>
internal sealed class ByteBuilder
{
    private byte[] _buffer = new byte[64];

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    /// <summary>The bytes written so far, to be changed in place.</summary>
    public Span<byte> WrittenWritable => _buffer.AsSpan(0, Length);

    /// <summary>The number of bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>Forgets what was written.</summary>
    public void Clear() => Length = 0;

    /// <summary>Truncates the written bytes to <paramref name="length"/>.</summary>
    public void Truncate(int length) => Length = length;

    /// <summary>A span of <paramref name="size"/> bytes after what was written, to be committed with <see cref="Advance"/>.</summary>
    public Span<byte> Reserve(int size)
    {
        if (Length + size > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + size));
        return _buffer.AsSpan(Length, size);
    }

    /// <summary>Counts <paramref name="size"/> reserved bytes as written.</summary>
    public void Advance(int size) => Length += size;

    /// <summary>Appends one byte.</summary>
    public void Add(byte value)
    {
        Reserve(1)[0] = value;
        Length++;
    }

    /// <summary>A copy of the written bytes.</summary>
    public byte[] ToArray() => Written.ToArray();
}
