namespace PageDb;

/// <summary>When a commit reaches the disk (see docs/ARCHITECTURE.md, "Durability").</summary>
public enum Durability
{
    /// <summary>The WAL is synced before <see cref="WriteTransaction.Commit"/> returns: a committed transaction survives any crash.</summary>
    Full,

    /// <summary>
    /// The WAL is synced at checkpoints only (and by a close, which checkpoints): a crash may lose the last commits, never
    /// consistency. A close that cannot checkpoint because an I/O error failed the database throws, since the commits
    /// since the last sync are then not durable.
    /// </summary>
    Normal,

    /// <summary>
    /// Nothing is ever synced: for bulk loads and tests. A crash of the process alone loses nothing committed (the OS
    /// keeps every write it made). A power loss or OS crash may lose any commit and may leave the database unopenable
    /// (<see cref="CorruptDatabaseException"/>) or damaged (<see cref="PageDatabase.CheckIntegrity"/> reports it):
    /// keep a copy of anything you cannot load again.
    /// </summary>
    None,
}
