namespace PageDb.Engine;

/// <summary>
/// Where a write transaction is in its life. The states, what each holds and may touch, and the allowed transitions
/// are set out at the top of <see cref="WriteCycle"/>, which alone moves between them.
/// </summary>
internal enum WriteCycleState
{
    /// <summary>Asking for the writer slot; holds nothing. The state a cycle is made in.</summary>
    WaitingForSlot,

    /// <summary>Holds the slot and the transaction's pages: the only state in which the transaction may be used.</summary>
    Open,

    /// <summary>Committing: the private page versions are being appended to the WAL.</summary>
    Appending,

    /// <summary>The commit is appended; the log's upkeep (a log switch, a copy) runs under the slot still.</summary>
    Maintaining,

    /// <summary>The slot is given to the next writer; at <see cref="Durability.Full"/> the commit waits for its sync.</summary>
    Released,

    /// <summary>Terminal: the commit is acknowledged, durable at the chosen level.</summary>
    Durable,

    /// <summary>Terminal: the sync the commit waited for failed; the commit is not acknowledged.</summary>
    Lost,

    /// <summary>Terminal: ended without a commit after it was open; nothing of it remains.</summary>
    RolledBack,

    /// <summary>Terminal: never opened (the wait for the slot or the begin failed); nothing of it remains.</summary>
    Abandoned,
}
