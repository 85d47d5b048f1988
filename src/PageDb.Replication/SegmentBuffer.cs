namespace PageDb.Replication;

/// <summary>
/// A growing byte array that a segment is encoded into, whose end can be cut back (a delta found too large); the
/// replicator keeps one for its cuts (<see cref="Reset"/>), so a cut does not allocate and fault in its segment anew.
/// An array grown past <c>keepAtMost</c> bytes (a cut unusually large: one huge commit, a segment cut late) is let go
/// by <see cref="Shrink"/>, so the replicator does not keep its largest segment's memory for its life.
/// </summary>
internal sealed class SegmentBuffer(int capacity, int keepAtMost = int.MaxValue)
{
    private readonly int _capacity = Math.Max(capacity, 256);
    private byte[] _bytes = new byte[Math.Max(capacity, 256)];

    /// <summary>Bytes the buffer holds now, written or not.</summary>
    public int Capacity => _bytes.Length;

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

    /// <summary>The bytes written, valid until the buffer is written again.</summary>
    public ArraySegment<byte> Segment => new(_bytes, 0, Length);

    /// <summary>Empties the buffer, keeping its capacity.</summary>
    public void Reset() => Length = 0;

    /// <summary>Empties the buffer and, when it grew past <c>keepAtMost</c> bytes, goes back to its first capacity.</summary>
    public void Shrink()
    {
        Length = 0;
        if (_bytes.Length > keepAtMost)
            _bytes = new byte[_capacity];
    }
}
