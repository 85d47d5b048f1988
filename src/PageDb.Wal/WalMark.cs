namespace PageDb.Wal;

/// <summary>
/// A reader's snapshot of the log: the <see cref="FrameIndex"/> of the last commit frame when the reader began
/// (<see cref="Empty"/> when nothing was committed: every page comes from the database file). A reader sees, for each
/// page, the newest frame at or before its mark. Marks only grow, across restarts too.
/// </summary>
/// <param name="LastCommitFrame">The last commit frame the snapshot includes.</param>
internal readonly record struct WalMark(FrameIndex LastCommitFrame) : IComparable<WalMark>
{
    /// <summary>The snapshot before any commit in this log.</summary>
    public static readonly WalMark Empty = new(FrameIndex.None);

    /// <inheritdoc/>
    public int CompareTo(WalMark other) => LastCommitFrame.CompareTo(other.LastCommitFrame);

    /// <summary>Compares marks: the smaller is the older snapshot.</summary>
    public static bool operator <(WalMark left, WalMark right) => left.LastCommitFrame < right.LastCommitFrame;

    /// <summary>Compares marks: the smaller is the older snapshot.</summary>
    public static bool operator >(WalMark left, WalMark right) => left.LastCommitFrame > right.LastCommitFrame;

    /// <summary>Compares marks: the smaller is the older snapshot.</summary>
    public static bool operator <=(WalMark left, WalMark right) => left.LastCommitFrame <= right.LastCommitFrame;

    /// <summary>Compares marks: the smaller is the older snapshot.</summary>
    public static bool operator >=(WalMark left, WalMark right) => left.LastCommitFrame >= right.LastCommitFrame;

    /// <summary>The older of two marks.</summary>
    public static WalMark Min(WalMark a, WalMark b) => a <= b ? a : b;

    /// <inheritdoc/>
    public override string ToString() => LastCommitFrame.ToString();
}
