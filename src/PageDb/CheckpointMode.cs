namespace PageDb;

/// <summary>How hard <see cref="PageDatabase.Checkpoint"/> tries to copy the WAL into the database file.</summary>
public enum CheckpointMode
{
    /// <summary>Copy what no active reader still needs; never wait for readers.</summary>
    Passive,

    /// <summary>Wait until readers of older snapshots finish, then copy every committed frame.</summary>
    Full,

    /// <summary>As <see cref="Full"/>, then shrink the WAL file to nothing.</summary>
    Truncate,
}
