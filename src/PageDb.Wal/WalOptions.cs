namespace PageDb.Wal;

/// <summary>How <see cref="WriteAheadLog.Open"/> opens the log of one database.</summary>
internal sealed record WalOptions
{
    /// <summary>The database's page size: a power of two from 4096 to 65536.</summary>
    public required int PageSize { get; init; }

    /// <summary>The random id in the database file header; a log carrying another id is discarded, never replayed.</summary>
    public required ulong DatabaseId { get; init; }

    /// <summary>
    /// The database file's size in pages, from its own header (which the file's length bounds), when the log is opened.
    /// Every page a transaction adds to the database is logged, so recovery refuses, as corruption, a log whose last
    /// commit frame records more pages than this plus the frames logged: a forged size must not make a checkpoint grow
    /// the file or a check allocate for it. Unbounded when not set (a log tested without a database).
    /// </summary>
    public uint DatabasePageCount { get; init; } = uint.MaxValue;

    /// <summary>Open for reading only: recover the log's index but never write (the file is not created).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// With <see cref="ReadOnly"/>: another process writes the log while this one reads it. Its restarts may then
    /// overwrite frames this open indexed, so every frame read is followed by a read of its file's header, and a frame
    /// whose file holds another generation by then is read from the database file instead (which the writer filled
    /// before it restarted, and copies nothing newer into while this open's reader slot holds it back).
    /// </summary>
    public bool WrittenByAnotherProcess { get; init; }

    /// <summary>
    /// With <see cref="WrittenByAnotherProcess"/>: how long the open goes on recovering again, with short pauses, while
    /// the writer switches log files during each recovery (<see cref="Recovery.RunBesideWriter"/>), after the
    /// <see cref="Recovery.AttemptsBeforeWaiting"/> it tries at once; <see cref="Timeout.InfiniteTimeSpan"/> for no
    /// limit. Zero by default: give up after those. The engine passes <c>PageDbOptions.WriteLockTimeout</c>.
    /// </summary>
    public TimeSpan BesideWriterTimeout { get; init; }

    /// <summary>
    /// False for <c>Durability.None</c>: the log never syncs anything (not at commit, growth, checkpoint or restart) and
    /// does not preallocate. True otherwise; whether a commit syncs is then the caller's choice per commit.
    /// </summary>
    public bool SyncEnabled { get; init; } = true;

    /// <summary>Store a frame's image zstd-compressed when that is smaller. Off by default (see docs/format/wal.md).</summary>
    public bool CompressFrames { get; init; }

    /// <summary>
    /// The file grows in steps of this many bytes: zeros written, then one full sync, so that commit syncs overwrite
    /// allocated space and need only a data sync. 1 MiB by default.
    /// </summary>
    public int GrowthStep { get; init; } = 1 << 20;

    /// <summary>
    /// When the log forgets the older of its two files and that file is longer than this, the file is shrunk to its
    /// header first (a reader held open for long let it grow; its space is not worth keeping). Never by default. A
    /// value below the end of the first growth step (<see cref="GrowthStep"/>, past the header, rounded up to the step)
    /// counts as that end: a file made ready for a switch holds that step. A file no longer than twice what the current
    /// generation has written is kept too: the readers that let the current generation grow as long will likely let
    /// the next one grow as far.
    /// </summary>
    public long ShrinkForgottenFileAbove { get; init; } = long.MaxValue;

    /// <summary>
    /// The engine's one failure state, shared with the database file: a failed write or sync of the log is recorded
    /// there, and the log refuses writes once anything in the engine has failed. It belongs to one open: reopening
    /// (which recovers) needs a new one.
    /// </summary>
    public FailureState Failure { get; init; } = new();

    /// <summary>
    /// Told each commit mark as it becomes visible to readers (after its sync, at Durability.Full), on whichever thread
    /// published it, one call at a time and in order; the engine publishes it to reader processes. Null for none.
    /// </summary>
    public Action<WalMark>? Published { get; init; }
}
