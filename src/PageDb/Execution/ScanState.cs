namespace PageDb.Execution;

/// <summary>Where a scan's cursor is: not yet positioned, on an entry, or past the end.</summary>
internal enum ScanState
{
    Before,
    On,
    Done,
}

/// <summary>Steps a scan's cursor from the first entry to the end.</summary>
internal static class ScanStateExtensions
{
    /// <summary>Moves to the first entry (from <paramref name="seek"/> when given) or the next; false once past the end.</summary>
    public static bool Advance(ref this ScanState state, Cursor cursor, ReadOnlySpan<byte> seek = default, bool seekGiven = false)
    {
        bool more = state switch
        {
            ScanState.Before => seekGiven ? cursor.Seek(seek) : cursor.SeekFirst(),
            ScanState.On => cursor.Next(),
            _ => false,
        };
        state = more ? ScanState.On : ScanState.Done;
        return more;
    }
}
