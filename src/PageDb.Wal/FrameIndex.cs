namespace PageDb.Wal;

/// <summary>
/// A frame's identity while the log is open: 1, 2, 3, ... in append order, never reused, and still increasing
/// across restarts of the log (a restart continues the numbering), so that (page, frame index) names one immutable
/// page version for the buffer pool. Not stored on disk. <see cref="None"/> (0) is "no frame: read the database file".
/// </summary>
/// <param name="Value">The frame's number.</param>
internal readonly record struct FrameIndex(long Value) : IComparable<FrameIndex>
{
    /// <summary>No frame: the page is read from the database file.</summary>
    public static readonly FrameIndex None = new(0);

    /// <summary>True when this is <see cref="None"/>.</summary>
    public bool IsNone => Value == 0;

    /// <inheritdoc/>
    public int CompareTo(FrameIndex other) => Value.CompareTo(other.Value);

    /// <summary>Compares frame indexes by append order.</summary>
    public static bool operator <(FrameIndex left, FrameIndex right) => left.Value < right.Value;

    /// <summary>Compares frame indexes by append order.</summary>
    public static bool operator >(FrameIndex left, FrameIndex right) => left.Value > right.Value;

    /// <summary>Compares frame indexes by append order.</summary>
    public static bool operator <=(FrameIndex left, FrameIndex right) => left.Value <= right.Value;

    /// <summary>Compares frame indexes by append order.</summary>
    public static bool operator >=(FrameIndex left, FrameIndex right) => left.Value >= right.Value;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
