using PageDb.Engine;
using PageDb.Testing;
using static PageDb.Engine.WriteCycleState;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests;

/// <summary>
/// The write transaction's state machine (<c>src/PageDb/Engine/WriteCycle.cs</c>): the transition table is the one its
/// file documents, every other move is refused and changes nothing, and real transactions take each documented path:
/// commit (blocking and async, at every durability), rollback, dispose after commit, a failed append, a failed sync,
/// a begin that times out, is cancelled or is refused. A randomized run checks every step against a small model.
/// </summary>
public class WriteCycleTests
{
    private static readonly WriteCycleState[] States = Enum.GetValues<WriteCycleState>();

    // The table at the top of WriteCycle.cs, written out again: a change to one must be a change to the other.
    private static readonly HashSet<(WriteCycleState From, WriteCycleState To)> Documented =
    [
        (WaitingForSlot, WriteCycleState.Open), (WaitingForSlot, Abandoned),
        (WriteCycleState.Open, Appending), (WriteCycleState.Open, RolledBack),
        (Appending, Maintaining), (Appending, RolledBack),
        (Maintaining, Released),
        (Released, Durable), (Released, Lost),
    ];

    private static readonly WriteCycleState[] Committed = [WaitingForSlot, WriteCycleState.Open, Appending, Maintaining, Released, Durable];

    [Test]
    public void The_transition_table_is_the_documented_one()
    {
        foreach (WriteCycleState from in States)
        {
            foreach (WriteCycleState to in States)
                Assert.That(WriteCycle.IsAllowed(from, to), Is.EqualTo(Documented.Contains((from, to))), $"{from} -> {to}");
        }
    }

    [Test]
    public void Every_move_the_table_does_not_allow_is_refused_and_changes_nothing()
    {
        using PageDatabase db = PageDatabase.OpenInMemory();
        foreach (WriteCycleState state in States)
        {
            foreach (WriteCycleState to in States.Where(to => !WriteCycle.IsAllowed(state, to)))
            {
                WriteCycle cycle = WalkTo(db, state);
                IReadOnlyList<WriteCycleState> before = cycle.Path;
                var refused = Assert.Throws<InvalidOperationException>(() => cycle.MoveTo(to), $"{state} -> {to}");
                Assert.That(refused!.Message, Does.Contain($"from {state} to {to}"));
                Assert.That(cycle.State, Is.EqualTo(state), $"{state} -> {to} was refused");
                Assert.That(cycle.Path, Is.EqualTo(before), $"{state} -> {to} was refused");
            }
        }
    }

    [Test]
    public void A_commit_goes_through_every_state_to_durable([Values] Durability durability, [Values] bool async)
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), durability));
        WriteTransaction tx = db.BeginWrite();
        WriteCycle cycle = tx.Cycle;
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open }));
        tx.GetOrCreateTree("t").Put(Bytes("a"), Bytes("1"));
        if (async)
            tx.CommitAsync().GetAwaiter().GetResult();
        else
            tx.Commit();
        Assert.That(cycle.Path, Is.EqualTo(Committed));

        tx.Dispose();
        Assert.That(cycle.State, Is.EqualTo(Durable), "disposing a committed transaction does nothing");
        Assert.That(() => tx.GetTree("t"), Throws.InvalidOperationException, "a committed transaction cannot be used");
        Assert.That(() => tx.Commit(), Throws.InvalidOperationException.With.Message.Contains("has ended"));
        Assert.That(async () => await tx.CommitAsync(), Throws.InvalidOperationException.With.Message.Contains("has ended"));
        Assert.That(cycle.State, Is.EqualTo(Durable));
        Assert.That(() => cycle.Pages, Throws.InvalidOperationException, "the cycle gave its pages back");
    }

    [Test]
    public void A_transaction_disposed_without_commit_is_rolled_back_and_releases_the_slot()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage()));
        WriteTransaction tx = db.BeginWrite();
        WriteCycle cycle = tx.Cycle;
        tx.GetOrCreateTree("t").Put(Bytes("a"), Bytes("1"));
        tx.Dispose();
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open, RolledBack }));
        Assert.That(() => tx.Commit(), Throws.InvalidOperationException.With.Message.Contains("has ended"));
        using WriteTransaction next = db.BeginWrite();
        Assert.That(next.TreeNames, Is.Empty);
    }

    [Test]
    public void A_cancelled_commit_stays_open()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage()));
        using WriteTransaction tx = db.BeginWrite();
        Task cancelled = tx.CommitAsync(new CancellationToken(canceled: true));
        Assert.That(cancelled.IsCanceled, Is.True);
        WriteCycle cycle = tx.Cycle;
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open }));
        tx.Commit();
        Assert.That(cycle.Path, Is.EqualTo(Committed));
    }

    [Test]
    public void A_failed_sync_leaves_the_commit_lost_and_the_engine_failed()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        using PageDatabase db = PageDatabase.Open(DbPath, OptionsForDamage(faulty));
        Put(db, "t", ("kept", "1"));
        faulty.FailSyncs = true;
        WriteTransaction tx = db.BeginWrite();
        WriteCycle cycle = tx.Cycle;
        tx.GetTree("t").Put(Bytes("lost"), Bytes("2"));
        Assert.Throws<PageDbIOException>(() => tx.Commit());
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open, Appending, Maintaining, Released, Lost }));
        Assert.That(db.Engine.Failure.IsFailed, Is.True);
        tx.Dispose();
        Assert.That(cycle.State, Is.EqualTo(Lost), "disposing after the failed commit does nothing");
        AssertRefusedBegin<PageDbIOException>(db);
    }

    [Test]
    public void A_failed_append_rolls_the_transaction_back_and_fails_the_engine()
    {
        var faulty = new FaultyStorage(new MemoryStorage());
        using PageDatabase db = PageDatabase.Open(DbPath, OptionsForDamage(faulty));
        Put(db, "t", ("kept", "1"));
        faulty.WritesBeforeFailure = faulty.Writes;
        WriteTransaction tx = db.BeginWrite();
        WriteCycle cycle = tx.Cycle;
        tx.GetTree("t").Put(Bytes("lost"), Bytes("2"));
        Assert.Throws<PageDbIOException>(() => tx.Commit());
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open, Appending, RolledBack }));
        Assert.That(db.Engine.Failure.IsFailed, Is.True);
        Assert.That(db.Engine.Gate.TryEnter(), Is.True, "the slot was released");
        db.Engine.Gate.Exit();
        AssertRefusedBegin<PageDbIOException>(db);
    }

    [Test]
    public void An_ended_cycle_serves_the_next_transaction_which_the_old_handle_never_reaches()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage()));
        WriteTransaction first = db.BeginWrite();
        WriteCycle cycle = first.Cycle;
        first.GetOrCreateTree("t").Put(Bytes("a"), Bytes("1"));
        first.Commit();

        using WriteTransaction second = db.BeginWrite();
        Assert.That(second.Cycle, Is.SameAs(cycle), "the commit made no new cycle");
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open }), "it started over");
        Assert.That(() => first.GetTree("t"), Throws.InvalidOperationException);
        Assert.That(() => first.Commit(), Throws.InvalidOperationException);
        first.Dispose();
        Assert.That(cycle.State, Is.EqualTo(WriteCycleState.Open), "the old handle's dispose did not roll the new transaction back");
        second.GetTree("t").Put(Bytes("b"), Bytes("2"));
        second.Commit();
        Assert.That(cycle.Path, Is.EqualTo(Committed));
    }

    [Test]
    public void A_begin_that_times_out_is_abandoned()
    {
        using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), writeLockTimeout: TimeSpan.FromMilliseconds(1)));
        using WriteTransaction holder = db.BeginWrite();
        var cycle = new WriteCycle(db.Engine);
        Assert.Throws<TimeoutException>(cycle.Begin);
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, Abandoned }));
        Assert.That(() => cycle.Pages, Throws.InvalidOperationException, "it took no pages");
    }

    [Test]
    public async Task A_begin_cancelled_while_waiting_for_the_slot_is_abandoned_and_leaves_no_trace()
    {
        await using PageDatabase db = PageDatabase.Open(DbPath, Options(new MemoryStorage(), writeLockTimeout: TimeSpan.FromSeconds(30)));
        var cycle = new WriteCycle(db.Engine);
        using var cancel = new CancellationTokenSource();
        using (WriteTransaction holder = db.BeginWrite())
        {
            Task waiting = cycle.BeginAsync(cancel.Token);
            Assert.That(cycle.State, Is.EqualTo(WaitingForSlot));
            await cancel.CancelAsync();
            Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        }
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, Abandoned }));
        Assert.That(db.Engine.Gate.TryEnter(), Is.True, "the cancelled wait holds no slot");
        db.Engine.Gate.Exit();
    }

    [Test]
    public void A_begin_on_a_read_only_database_is_abandoned()
    {
        var memory = new MemoryStorage();
        PageDatabase.Open(DbPath, Options(memory)).Dispose();
        using PageDatabase db = PageDatabase.Open(DbPath, new PageDbOptions { Storage = memory, ReadOnly = true });
        AssertRefusedBegin<InvalidOperationException>(db);
    }

    /// <summary>
    /// Random sequences of what a user does with write transactions, each checked against a model of the committed
    /// content and of the state each transaction must be in: begin, change, commit (blocking or async), dispose, use
    /// or commit after the end, a begin cancelled behind the open transaction, and a commit whose sync fails (then
    /// the database is reopened, without the lost commit).
    /// </summary>
    [Test]
    public void Random_operation_sequences_match_the_model()
    {
        int seed = TestSeed.Next();
        string replay = TestSeed.Describe(seed);
        var random = new Random(seed);
        var memory = new MemoryStorage();
        var faulty = new FaultyStorage(memory);
        var committed = new Dictionary<string, string>();
        var pending = new Dictionary<string, string>();
        PageDatabase db = PageDatabase.Open(DbPath, OptionsForDamage(faulty));
        WriteTransaction? open = null;
        WriteCycle? cycle = null;
        WriteTransaction? ended = null;
        try
        {
            for (int step = 0; step < 400; step++)
            {
                string at = $"step {step}, {replay}";
                switch (random.Next(8))
                {
                    case 0 when open is null:
                        open = db.BeginWrite();
                        cycle = open.Cycle;
                        pending = new Dictionary<string, string>(committed);
                        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open }), at);
                        break;
                    case 1 when open is not null:
                        string key = $"k{random.Next(20)}", value = $"v{step}";
                        open.GetOrCreateTree("t").Put(Bytes(key), Bytes(value));
                        pending[key] = value;
                        break;
                    case 2 when open is not null:
                        if (random.Next(2) == 0)
                            open.Commit();
                        else
                            open.CommitAsync().GetAwaiter().GetResult();
                        Assert.That(cycle!.Path, Is.EqualTo(Committed), at);
                        committed = pending;
                        (ended, open) = (open, null);
                        break;
                    case 3 when open is not null:
                        open.Dispose();
                        Assert.That(cycle!.Path, Is.EqualTo(new[] { WaitingForSlot, WriteCycleState.Open, RolledBack }), at);
                        (ended, open) = (open, null);
                        break;
                    case 4 when ended is not null:
                        WriteCycleState? before = open?.Cycle.State;
                        Assert.That(() => ended.Commit(), Throws.InvalidOperationException, at);
                        Assert.That(() => ended.GetTree("t"), Throws.InvalidOperationException, at);
                        ended.Dispose();
                        Assert.That(open?.Cycle.State, Is.EqualTo(before), $"the ended handle left the open transaction alone, {at}");
                        break;
                    case 5 when open is not null:
                        var waiting = new WriteCycle(db.Engine);
                        using (var cancel = new CancellationTokenSource())
                        {
                            Task begin = waiting.BeginAsync(cancel.Token);
                            cancel.Cancel();
                            Assert.That(() => begin.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>(), at);
                        }
                        Assert.That(waiting.Path, Is.EqualTo(new[] { WaitingForSlot, Abandoned }), at);
                        Assert.That(open.Cycle.State, Is.EqualTo(WriteCycleState.Open), at);
                        break;
                    case 6 when open is not null && random.Next(4) == 0:
                        open.GetOrCreateTree("t").Put(Bytes("lost"), Bytes($"v{step}")); // a commit with no change needs no sync
                        faulty.FailSyncs = true;
                        Assert.That(() => open.Commit(), Throws.InstanceOf<PageDbIOException>(), at);
                        faulty.FailSyncs = false;
                        Assert.That(cycle!.State, Is.EqualTo(Lost), at);
                        Assert.That(db.Engine.Failure.IsFailed, Is.True, at);
                        AssertRefusedBegin<PageDbIOException>(db);
                        (ended, open) = (null, null);
                        db.Dispose();
                        db = PageDatabase.Open(DbPath, OptionsForDamage(faulty));
                        break;
                    case 7:
                        AssertContent(db, committed, at);
                        break;
                }
            }
            open?.Dispose();
            AssertContent(db, committed, replay);
            Assert.That(db.CheckIntegrity().IsOk, Is.True, replay);
        }
        finally
        {
            db.Dispose();
        }
    }

    private static void AssertContent(PageDatabase db, Dictionary<string, string> expected, string at)
    {
        using ReadTransaction read = db.BeginRead();
        var actual = new Dictionary<string, string>();
        if (read.TryGetTree("t", out Tree? tree))
        {
            foreach ((byte[] key, byte[] value) in tree.Range(null, null))
                actual[Text(key)] = Text(value);
        }
        Assert.That(actual, Is.EquivalentTo(expected), at);
    }

    /// <summary>A cycle of <paramref name="db"/>'s engine moved along the table's moves alone (no work done) to <paramref name="target"/>.</summary>
    private static WriteCycle WalkTo(PageDatabase db, WriteCycleState target)
    {
        var cycle = new WriteCycle(db.Engine);
        foreach (WriteCycleState state in ShortestPathTo(target))
            cycle.MoveTo(state);
        Assert.That(cycle.State, Is.EqualTo(target));
        return cycle;
    }

    /// <summary>The states after WaitingForSlot on a shortest documented path to <paramref name="target"/> (every state has one).</summary>
    private static List<WriteCycleState> ShortestPathTo(WriteCycleState target)
    {
        var cameFrom = new Dictionary<WriteCycleState, WriteCycleState>();
        var queue = new Queue<WriteCycleState>([WaitingForSlot]);
        while (queue.Count > 0)
        {
            WriteCycleState from = queue.Dequeue();
            foreach (WriteCycleState to in States.Where(to => WriteCycle.IsAllowed(from, to) && to != WaitingForSlot && !cameFrom.ContainsKey(to)))
            {
                cameFrom[to] = from;
                queue.Enqueue(to);
            }
        }
        var path = new List<WriteCycleState>();
        for (WriteCycleState state = target; state != WaitingForSlot; state = cameFrom[state])
            path.Insert(0, state);
        return path;
    }

    /// <summary>A begin on <paramref name="db"/> is refused with <typeparamref name="TException"/> and abandons its cycle.</summary>
    private static void AssertRefusedBegin<TException>(PageDatabase db) where TException : Exception
    {
        var cycle = new WriteCycle(db.Engine);
        Assert.Throws<TException>(cycle.Begin);
        Assert.That(cycle.Path, Is.EqualTo(new[] { WaitingForSlot, Abandoned }));
        Assert.Throws<TException>(() => db.BeginWrite());
    }
}
