using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using PageDb.Core.Pages;
using PageDb.Records;
using PageDb.Wal;

namespace PageDb.Engine;

/// <summary>
/// The life of one write transaction, from asking for the writer slot to the acknowledgment of its commit, as one
/// state machine: the one owner of the writer slot it holds, of its <see cref="TransactionPages"/>, of its commit or
/// rollback, of the log upkeep that follows a commit and of the wait for the commit's sync. <see cref="WriteTransaction"/>
/// is the public handle; it asks the cycle whether it is open and hands it every step.
/// </summary>
/// <remarks>
/// <para>
/// States (<see cref="WriteCycleState"/>): what each holds, and what may be touched in it.
/// <code>
///   WaitingForSlot  The initial state. Waits for the engine's WriteGate (BeginWrite blocks, BeginWriteAsync awaits
///                   and may be cancelled). Holds nothing. Once the slot is granted, still in this state, the begin
///                   runs the log upkeep a previous commit could not (StorageEngine.MaintainLog) and takes a
///                   TransactionPages from the engine's pool on the appended state (WriteAheadLog.LastAppendedCommit).
///   Open            Holds the slot and the TransactionPages. The trees read and write pages through them: private
///                   versions in the buffer pool (dirty, never evicted, invisible to readers) and, for a transaction
///                   larger than the pool, spilled pages appended to the WAL as uncommitted frames. The only state in
///                   which the transaction's handle, its trees, tables and cursors may be used.
///   Appending       Commit: every private version is sealed and appended to the WAL, the last as the commit frame
///                   (TransactionPages.Commit). Below Durability.Full the commit is published to readers at once; at
///                   Full it is only appended. Touches the WAL writer and renames the versions in the pool; first,
///                   if the commit wrote the catalog (or is replicated), moves the engine's WriterCatalogCache to
///                   its next generation.
///   Maintaining     The commit is appended. The TransactionPages go back to the pool, and, under the slot still, the
///                   writer's part of an automatic checkpoint runs (MaintainLog: a switch of log files, or the copy
///                   when the background lags). Its failure does not undo the commit and is not thrown to the
///                   committer: it fails the engine, and the next writer is told.
///   Released        The slot is given to the next writer, which builds on the appended commit. At Durability.Full the
///                   commit waits here for a group sync that covers it (WriteAheadLog.WaitDurable, GroupSync); it
///                   touches nothing of the engine but that wait.
///   Durable         Terminal. The commit is acknowledged: durable at the chosen level, and seen by new readers.
///   Lost            Terminal. The sync the commit waited for failed: the commit is not acknowledged, is not seen by
///                   readers, and is not seen after a reopen (GroupSync zeroes the log past the durable mark).
///   RolledBack      Terminal. Ended without a commit after it was open (Dispose, or a commit that threw while
///                   appending): the private versions and the uncommitted frames are dropped, the slot released.
///   Abandoned       Terminal. Never opened: the wait for the slot timed out or was cancelled, or the begin was
///                   refused (read-only or failed engine) or its upkeep failed. The slot, if granted, is released;
///                   nothing of the transaction remains.
/// </code>
/// </para>
/// <para>
/// Transitions: the only ones <see cref="MoveTo"/> allows (<see cref="IsAllowed"/>), and the method that makes each.
/// A move is made before the work it names, so that a failure part-way can never run that work twice.
/// <code>
///   WaitingForSlot -> Open         Begin, BeginAsync      (slot granted, upkeep run, pages taken)
///   WaitingForSlot -> Abandoned    Begin, BeginAsync      (the wait or the begin threw)
///   Open           -> Appending    Commit, CommitAsync
///   Open           -> RolledBack   RollBack               (Dispose without Commit)
///   Appending      -> Maintaining  Commit, CommitAsync    (the commit frame is written)
///   Appending      -> RolledBack   Commit, CommitAsync    (appending threw)
///   Maintaining    -> Released     Commit, CommitAsync    (always, whether the upkeep failed or not)
///   Released       -> Durable      Commit, CommitAsync    (at once below Full; at Full once a sync covers it)
///   Released       -> Lost         Commit, CommitAsync    (the wait for the sync threw)
/// </code>
/// Any other move, such as committing or rolling back a transaction that has ended, throws
/// <see cref="InvalidOperationException"/> and leaves the state as it was.
/// </para>
/// <para>
/// Failure. An I/O error in any state is recorded in the engine's one <see cref="FailureState"/>
/// (<see cref="StorageEngine.Fail"/>; the WAL and the database file record their own there too), and the engine
/// refuses every later begin (WaitingForSlot -> Abandoned) until the database is reopened and recovered. The cycle's
/// state says what this transaction still holds and whether its commit was acknowledged; the engine's failure state
/// says whether any write may follow. In Open a failed spill fails the engine and the transaction stays open, to be
/// disposed (its commit would fail); in Appending the failure rolls the transaction back (the uncommitted frames are
/// left to recovery once the log has failed); in Maintaining it is recorded and the commit stands; in Released the
/// group sync records it and the commit is Lost.
/// </para>
/// <para>
/// Reuse. A cycle that reaches a terminal state gives itself back to the engine's pool
/// (<see cref="StorageEngine.WriteCycles"/>) as the last thing it does, so a commit makes no new one; the next
/// <see cref="Begin"/> that takes it starts it over in WaitingForSlot with a new path. That is the start of a new life,
/// not a transition. The <see cref="WriteTransaction"/> handle lets go of its cycle as the cycle leaves Open, so a
/// handle kept after its transaction ended never reaches the transaction that reuses the cycle.
/// </para>
/// <para>
/// Replicated commits. A commit received from a replica store (restore, read replicas: <see cref="ReplicatedCommit"/>)
/// is a cycle too: <see cref="Begin"/>, then <see cref="CommitReplicated"/>, which appends the received page images
/// in Appending where a transaction appends its private pages (its TransactionPages stay empty) and goes through the
/// same Maintaining, Released and group sync.
/// </para>
/// <para>
/// Checkpoints are not cycles. A checkpoint changes no committed state: it copies committed frames into the database
/// file and may switch or restart the log, and readers see the same pages before and after it. Its one owner is the
/// engine's checkpoint lock (<c>StorageEngine._checkpointLock</c>): every copy runs under it, whoever asks for it (the
/// background checkpointer, the writer's own copy when the background lags, an explicit
/// <see cref="PageDatabase.Checkpoint"/>, the final checkpoint of <see cref="StorageEngine.Dispose"/>, and the one at
/// open, which runs before the engine is handed to anyone).
/// Those that may switch or restart the log or must first make every appended commit durable also hold the
/// WriteGate, so no cycle is between Open and Released meanwhile: the writer's part of an automatic checkpoint
/// (<see cref="StorageEngine.MaintainLog"/>) runs inside a cycle (in WaitingForSlot once the slot is granted, and in
/// Maintaining); an explicit checkpoint takes the gate as a cycle's begin does (waiting up to
/// <see cref="PageDbOptions.WriteLockTimeout"/>); the close takes it only if it is free (<see cref="WriteGate.TryEnter"/>:
/// a transaction left open keeps the final checkpoint from running). The background checkpointer holds only the
/// checkpoint lock: it copies the older log file, which no cycle writes. A checkpoint's I/O error is recorded in the
/// same <see cref="FailureState"/> and refuses later begins, as a cycle's does.
/// </para>
/// <para>
/// Threads. A cycle is used by one thread at a time, its transaction's, which may change at an await. Several cycles
/// are alive at once: at most one from Open through Maintaining (the slot's holder), any number in WaitingForSlot,
/// any number in Released waiting for their group sync.
/// </para>
/// </remarks>
internal sealed class WriteCycle
{
    private readonly StorageEngine _engine;

    // Taken from the engine's pool on the way to Open, given back on the way out of it (Maintaining or RolledBack).
    private TransactionPages? _pages;

    private WriteCycleState _state;

    // The states passed through, one per 4 bits (state + 1), the newest lowest: for the message of a refused move, and
    // for tests. Starts with WaitingForSlot; a cycle passes at most 6 states, well within 16.
    private ulong _path = (ulong)WriteCycleState.WaitingForSlot + 1;

    // Lent to the first table that asks in each life of the cycle (TableEncodingBuffers), kept from life to life.
    private readonly TableEncodingBuffers _tableBuffers = new();
    private bool _tableBuffersLent;

    /// <summary>A cycle of <paramref name="engine"/>'s writer, waiting for the slot until <see cref="Begin"/>.</summary>
    public WriteCycle(StorageEngine engine)
    {
        _engine = engine;
    }

    public StorageEngine Engine => _engine;

    public WriteCycleState State => _state;

    /// <summary>True in <see cref="WriteCycleState.Open"/>, the one state in which the transaction may be used.</summary>
    public bool IsOpen => _state == WriteCycleState.Open;

    /// <summary>True in a terminal state: the cycle holds nothing and may start over for another transaction.</summary>
    public bool HasEnded => _state >= WriteCycleState.Durable;

    /// <summary>The transaction's pages; only while it holds them (Open, Appending).</summary>
    public TransactionPages Pages => _pages ?? ThrowNoPages();

    /// <summary>The states this cycle has been in, oldest first, ending with <see cref="State"/>.</summary>
    public IReadOnlyList<WriteCycleState> Path
    {
        get
        {
            var states = new List<WriteCycleState>();
            for (ulong path = _path; path != 0; path >>= 4)
                states.Add((WriteCycleState)((path & 0xF) - 1));
            states.Reverse();
            return states;
        }
    }

    /// <summary>
    /// The cycle's table encoding buffers, the first time a table asks in this life of the cycle (Open); null after
    /// that, as two tables of one transaction must not share them.
    /// </summary>
    public TableEncodingBuffers? LendTableBuffers()
    {
        if (_tableBuffersLent)
            return null;
        _tableBuffersLent = true;
        return _tableBuffers;
    }

    /// <summary>True when a cycle may move from <paramref name="from"/> to <paramref name="to"/>: the table at the top of the file.</summary>
    public static bool IsAllowed(WriteCycleState from, WriteCycleState to) => (from, to) switch
    {
        (WriteCycleState.WaitingForSlot, WriteCycleState.Open) => true,
        (WriteCycleState.WaitingForSlot, WriteCycleState.Abandoned) => true,
        (WriteCycleState.Open, WriteCycleState.Appending) => true,
        (WriteCycleState.Open, WriteCycleState.RolledBack) => true,
        (WriteCycleState.Appending, WriteCycleState.Maintaining) => true,
        (WriteCycleState.Appending, WriteCycleState.RolledBack) => true,
        (WriteCycleState.Maintaining, WriteCycleState.Released) => true,
        (WriteCycleState.Released, WriteCycleState.Durable) => true,
        (WriteCycleState.Released, WriteCycleState.Lost) => true,
        _ => false,
    };

    /// <summary>Moves to <paramref name="to"/> when the table allows it from the current state.</summary>
    /// <exception cref="InvalidOperationException">The table does not: the state is unchanged.</exception>
    public void MoveTo(WriteCycleState to)
    {
        if (!IsAllowed(_state, to))
            ThrowRefused(to);
        _state = to;
        _path = (_path << 4) | ((ulong)to + 1);
    }

    /// <summary>WaitingForSlot -> Open: waits for the slot (blocking) up to <see cref="PageDbOptions.WriteLockTimeout"/>, then begins.</summary>
    /// <exception cref="TimeoutException">The slot stayed taken; the cycle is Abandoned.</exception>
    public void Begin()
    {
        StartOver();
        try
        {
            _engine.ThrowIfNotWritable();
            _engine.Gate.Enter(_engine.Options.WriteLockTimeout);
        }
        catch
        {
            End(WriteCycleState.Abandoned);
            throw;
        }
        Open();
    }

    /// <summary>As <see cref="Begin"/>, waiting without blocking a thread; cancelling before the slot is granted abandons the cycle.</summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        StartOver();
        try
        {
            _engine.ThrowIfNotWritable();
            await _engine.Gate.EnterAsync(_engine.Options.WriteLockTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            End(WriteCycleState.Abandoned);
            throw;
        }
        Open();
    }

    /// <summary>The begin once the slot is granted: upkeep, then pages on the appended state. Abandons and releases the slot when it throws.</summary>
    private void Open()
    {
        try
        {
            _engine.ThrowIfNotWritable();
            // The switch after the last commit may have been refused (the background was still copying the older
            // generation out), and a version 1 or 2 log is still checkpointed here when readers held it back.
            _engine.MaintainLog();
            // The appended state, not the published one: a commit still waiting for its group sync is ordered before
            // this transaction (and if that sync fails, so does this transaction's commit).
            _pages = _engine.TransactionPagesPool.Get().Begin(_engine.Wal.LastAppendedCommit, _engine.NextTransactionSequence());
        }
        catch
        {
            MoveTo(WriteCycleState.Abandoned);
            _engine.Gate.Exit();
            End();
            throw;
        }
        MoveTo(WriteCycleState.Open);
    }

    /// <summary>Open -> Appending -> Maintaining -> Released -> Durable (or Lost), blocking for the sync at <see cref="Durability.Full"/>.</summary>
    public void Commit()
    {
        long startedAt = Stopwatch.GetTimestamp();
        AwaitSyncAndAcknowledge(startedAt, Append(replicated: null, databaseSize: 0));
    }

    /// <summary>
    /// As <see cref="Commit"/>, appending whole page images received from a replica store (<see cref="ReplicatedCommit"/>)
    /// in place of the transaction's private pages, which stay empty: the same slot, upkeep, release and group sync.
    /// </summary>
    public void CommitReplicated(IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)> pages, uint databaseSize)
    {
        long startedAt = Stopwatch.GetTimestamp();
        AwaitSyncAndAcknowledge(startedAt, Append(pages, databaseSize));
    }

    /// <summary>Released -> Durable (or Lost): blocks for the sync of <paramref name="written"/> at <see cref="Durability.Full"/>, then acknowledges.</summary>
    private void AwaitSyncAndAcknowledge(long startedAt, WalMark written)
    {
        if (WaitsForSync)
        {
            try
            {
                _engine.Wal.WaitDurable(written);
            }
            catch
            {
                End(WriteCycleState.Lost);
                throw;
            }
        }
        Acknowledge(startedAt);
    }

    /// <summary>As <see cref="Commit"/>, awaiting the group sync without blocking a thread while another thread leads it.</summary>
    public async Task CommitAsync()
    {
        long startedAt = Stopwatch.GetTimestamp();
        WalMark written = Append(replicated: null, databaseSize: 0);
        if (WaitsForSync)
        {
            try
            {
                await _engine.Wal.WaitDurableAsync(written).ConfigureAwait(false);
            }
            catch
            {
                End(WriteCycleState.Lost);
                throw;
            }
        }
        Acknowledge(startedAt);
    }

    /// <summary>Released -> Durable: the commit begun at <paramref name="startedAt"/> is acknowledged; the cycle is given back.</summary>
    private void Acknowledge(long startedAt)
    {
        MoveTo(WriteCycleState.Durable);
        EngineTelemetry.Committed(_engine.Options.Durability, startedAt);
        End();
    }

    /// <summary>Open (or Appending) -> RolledBack: drops the private versions and uncommitted frames and releases the slot.</summary>
    public void RollBack()
    {
        MoveTo(WriteCycleState.RolledBack);
        try
        {
            GiveBackPages(rolledBack: true);
            if (_engine.Wal.HasUncommittedFrames && !_engine.Wal.IsFailed)
                _engine.Wal.Rollback();
        }
        finally
        {
            _engine.Gate.Exit();
            End();
        }
    }

    private bool WaitsForSync => _engine.Options.Durability == Durability.Full;

    /// <summary>
    /// The commit's part under the slot: Open -> Appending -> Maintaining -> Released. Returns the commit's mark, which
    /// at <see cref="Durability.Full"/> the caller waits to see durable; with no change, the mark of the snapshot, which
    /// may itself still wait for its sync: what the transaction read is durable when it is acknowledged. With
    /// <paramref name="replicated"/>, those page images are appended as the commit instead of the private pages.
    /// </summary>
    private WalMark Append(IReadOnlyList<(PageNumber Page, ReadOnlyMemory<byte> Image)>? replicated, uint databaseSize)
    {
        MoveTo(WriteCycleState.Appending);
        if (replicated is not null || _pages!.CatalogWritten)
            _engine.WriterCatalog.NextGeneration();
        WalMark written;
        try
        {
            written = replicated is null
                ? _pages!.Commit(sync: WaitsForSync)
                : ReplicatedCommit.AppendFrames(_engine.Wal, replicated, databaseSize, sync: WaitsForSync);
        }
        catch (PageDbIOException e)
        {
            _engine.Fail(e);
            RollBack();
            throw;
        }
        catch
        {
            RollBack();
            throw;
        }
        Maintain();
        return written;
    }

    /// <summary>Appending -> Maintaining -> Released: gives the pages back, runs the log's upkeep, releases the slot.</summary>
    private void Maintain()
    {
        MoveTo(WriteCycleState.Maintaining);
        try
        {
            GiveBackPages(rolledBack: false);
            MaintainLogAfterCommit();
        }
        finally
        {
            MoveTo(WriteCycleState.Released);
            _engine.Gate.Exit();
        }
    }

    /// <summary>Moves to the terminal state <paramref name="terminal"/> and gives the cycle back (<see cref="End()"/>).</summary>
    private void End(WriteCycleState terminal)
    {
        MoveTo(terminal);
        End();
    }

    /// <summary>
    /// Gives the ended cycle back to the engine's pool, the last thing a cycle does: from then on another transaction
    /// may take it and start it over.
    /// </summary>
    private void End()
    {
        Debug.Assert(HasEnded, "only an ended cycle goes back to the pool");
        _engine.WriteCycles.Return(this);
    }

    /// <summary>
    /// A cycle taken from the pool starts a new life in WaitingForSlot: its state and path are those of a new one. A new
    /// cycle is there already.
    /// </summary>
    private void StartOver()
    {
        if (!HasEnded)
        {
            Debug.Assert(_state == WriteCycleState.WaitingForSlot, "a cycle begins once");
            return;
        }
        _state = WriteCycleState.WaitingForSlot;
        _path = (ulong)WriteCycleState.WaitingForSlot + 1;
        _tableBuffersLent = false;
    }

    /// <summary>Ends the pages' transaction and returns them to the engine's pool; the cycle holds them no more.</summary>
    private void GiveBackPages(bool rolledBack)
    {
        TransactionPages pages = _pages!;
        _pages = null;
        pages.Discard(rolledBack);
        _engine.TransactionPagesPool.Return(pages);
    }

    /// <summary>
    /// The writer's part of the automatic checkpoint (a switch of log files; the copy runs in the background). Its
    /// failure does not undo the commit that preceded it, so it is not thrown to the committer; it marks the database
    /// failed, and the next writer is told.
    /// </summary>
    private void MaintainLogAfterCommit()
    {
        try
        {
            _engine.MaintainLog();
        }
        catch (PageDbIOException e)
        {
            _engine.Fail(e);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowRefused(WriteCycleState to)
    {
        var message = new StringBuilder($"A write transaction cannot move from {_state} to {to} (its states: {string.Join(" > ", Path)}).");
        if (_state > WriteCycleState.Open)
            message.Append(" The transaction has ended (committed or disposed); begin a new one.");
        throw new InvalidOperationException(message.ToString());
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TransactionPages ThrowNoPages() =>
        throw new InvalidOperationException("The write transaction holds no pages: it is not open.");
}
