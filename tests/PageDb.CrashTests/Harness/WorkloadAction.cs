namespace PageDb.CrashTests.Harness;

/// <summary>One step of a <see cref="Workload"/>.</summary>
internal enum WorkloadAction
{
    /// <summary>A write transaction of random puts, deletes, tree creations and drops, committed.</summary>
    Commit,

    /// <summary>
    /// One-row commits of ascending keys with 150-byte values into one tree, enough to start new leaves: commits that
    /// grow the database without logging page 0 (WAL format version 5), whose page count only the commit frame holds.
    /// </summary>
    Appends,

    /// <summary>The same, rolled back (disposed without commit).</summary>
    Rollback,

    /// <summary>A write transaction large enough to spill pages to the WAL before it commits.</summary>
    LargeCommit,

    /// <summary>Begin a read transaction and hold it across later steps.</summary>
    HoldReader,

    /// <summary>Check and release a held reader: it must still see the commit it began at.</summary>
    ReleaseReader,

    /// <summary><see cref="PageDatabase.Checkpoint"/>(Passive).</summary>
    PassiveCheckpoint,

    /// <summary><see cref="PageDatabase.Checkpoint"/>(Full or Truncate); releases held readers first.</summary>
    FullCheckpoint,

    /// <summary><see cref="PageDatabase.Compact"/>; releases held readers first.</summary>
    Compact,

    /// <summary>Close the database cleanly and open it again.</summary>
    Reopen,

    /// <summary>Read the whole database and compare it with the model (no crash needed to find a bug).</summary>
    Verify,
}
