namespace PageDb.CrashTests.Harness;

/// <summary>
/// Random transactions over several trees against a <see cref="WorkloadModel"/>: puts (small values and values large
/// enough for overflow pages), deletes, tree creation and drops, commits and rollbacks, spilling transactions, held
/// readers, checkpoints of every mode, compaction and reopen cycles. It records what <see cref="WriteTransaction.Commit"/>
/// acknowledged, and the commit in flight when an operation was cut short, so that a crash harness (or a parent process)
/// knows which states a recovered database may be in. Deterministic for a given random source.
/// </summary>
internal sealed class Workload(Random random, Func<PageDatabase> open, WorkloadModel initial)
{
    private const int MaxTrees = 5;
    private const int TraceLength = 16;
    private const string AppendTree = "appends";
    private const int AppendsPerAction = 30; // more than a leaf's 24 rows of 150 bytes: at least one new leaf
    private ulong _nextAppendKey;
    private readonly List<(ReadTransaction Transaction, ulong Digest)> _readers = [];
    private readonly Queue<string> _trace = new();

    /// <summary>The open database, or null before <see cref="Open"/> and after <see cref="Abandon"/>.</summary>
    public PageDatabase? Database { get; private set; }

    /// <summary>The contents at the last acknowledged commit.</summary>
    public WorkloadModel Committed { get; private set; } = initial;

    /// <summary>The contents a commit would produce while it runs; left set when <see cref="WriteTransaction.Commit"/> did not return.</summary>
    public WorkloadModel? InFlight { get; private set; }

    /// <summary>Commits acknowledged so far.</summary>
    public long AcknowledgedCommits { get; private set; }

    /// <summary>Called after every acknowledged commit, with the committed contents.</summary>
    public Action<WorkloadModel>? OnAcknowledged { get; init; }

    /// <summary>Called just before a commit, with the contents it will produce.</summary>
    public Action<WorkloadModel>? OnCommitting { get; init; }

    /// <summary>Called when every acknowledged commit is known to be durable (a checkpoint returned, or a clean close).</summary>
    public Action? OnDurable { get; init; }

    /// <summary>Opens the database.</summary>
    public void Open() => Database = open();

    /// <summary>Runs one random step.</summary>
    public void Step() => Run(PickAction());

    /// <summary>The last steps run (newest last), for failure messages.</summary>
    public string Trace => string.Join(", ", _trace);

    /// <summary>Runs <paramref name="action"/>.</summary>
    public void Run(WorkloadAction action)
    {
        if (_trace.Count == TraceLength)
            _trace.Dequeue();
        _trace.Enqueue(action + (_readers.Count > 0 ? $"(readers {_readers.Count})" : ""));
        PageDatabase db = Database ?? throw new InvalidOperationException("the workload's database is not open");
        switch (action)
        {
            case WorkloadAction.Commit:
                WriteTransaction(db, random.Next(1, 20), commit: true);
                break;
            case WorkloadAction.Appends:
                for (int i = 0; i < AppendsPerAction; i++)
                    AppendCommit(db);
                break;
            case WorkloadAction.Rollback:
                WriteTransaction(db, random.Next(1, 40), commit: false);
                break;
            case WorkloadAction.LargeCommit:
                WriteTransaction(db, random.Next(100, 300), commit: true);
                break;
            case WorkloadAction.HoldReader:
                if (_readers.Count < 2)
                    _readers.Add((db.BeginRead(), Committed.Digest));
                break;
            case WorkloadAction.ReleaseReader:
                ReleaseReader();
                break;
            case WorkloadAction.PassiveCheckpoint:
                db.Checkpoint(CheckpointMode.Passive);
                OnDurable?.Invoke();
                break;
            case WorkloadAction.FullCheckpoint:
                ReleaseReaders();
                db.Checkpoint(random.Next(2) == 0 ? CheckpointMode.Full : CheckpointMode.Truncate);
                OnDurable?.Invoke();
                break;
            case WorkloadAction.Compact:
                ReleaseReaders();
                db.Compact();
                OnDurable?.Invoke();
                break;
            case WorkloadAction.Reopen:
                ReleaseReaders();
                Database = null;
                db.Dispose();
                OnDurable?.Invoke();
                Database = open();
                break;
            case WorkloadAction.Verify:
                Check(WorkloadModel.Load(db), Committed.Digest, "the database differs from the last commit (no crash)");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    /// <summary>After a crash: forgets the database and its readers, swallowing what their disposal throws.</summary>
    public void Abandon()
    {
        foreach ((ReadTransaction transaction, ulong _) in _readers)
            IgnoreFailure(transaction.Dispose);
        _readers.Clear();
        if (Database is { } db)
            IgnoreFailure(db.Dispose);
        Database = null;
    }

    /// <summary>Continues from <paramref name="recovered"/>, the contents a recovered database was found to hold.</summary>
    public void ResetTo(WorkloadModel recovered)
    {
        Committed = recovered;
        InFlight = null;
    }

    private WorkloadAction PickAction()
    {
        int roll = random.Next(100);
        return roll switch
        {
            < 42 => WorkloadAction.Commit,
            < 45 => WorkloadAction.Appends,
            < 53 => WorkloadAction.Rollback,
            < 57 => WorkloadAction.LargeCommit,
            < 64 => WorkloadAction.HoldReader,
            < 71 => WorkloadAction.ReleaseReader,
            < 80 => WorkloadAction.PassiveCheckpoint,
            < 84 => WorkloadAction.FullCheckpoint,
            < 87 => WorkloadAction.Compact,
            < 93 => WorkloadAction.Reopen,
            _ => WorkloadAction.Verify,
        };
    }

    private void WriteTransaction(PageDatabase db, int operations, bool commit)
    {
        WorkloadModel working = Committed.Clone();
        using WriteTransaction tx = db.BeginWrite();
        for (int i = 0; i < operations; i++)
            RandomChange(tx, working);
        if (!commit)
            return;
        Commit(tx, working);
    }

    /// <summary>One row past every key the workload appended before (and above the short random keys), committed alone.</summary>
    private void AppendCommit(PageDatabase db)
    {
        WorkloadModel working = Committed.Clone();
        using WriteTransaction tx = db.BeginWrite();
        if (!working.HasTree(AppendTree))
        {
            tx.CreateTree(AppendTree);
            working.CreateTree(AppendTree);
        }
        var key = new byte[10];
        key[0] = key[1] = 0xFF;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(2), _nextAppendKey++);
        var value = new byte[150];
        random.NextBytes(value);
        tx.GetTree(AppendTree).Put(key, value);
        working.Put(AppendTree, key, value);
        Commit(tx, working);
    }

    private void Commit(WriteTransaction tx, WorkloadModel working)
    {
        InFlight = working;
        OnCommitting?.Invoke(working);
        tx.Commit();
        Committed = working;
        InFlight = null;
        AcknowledgedCommits++;
        OnAcknowledged?.Invoke(working);
    }

    private void RandomChange(WriteTransaction tx, WorkloadModel working)
    {
        int roll = random.Next(100);
        string name = "t" + random.Next(MaxTrees + 2);
        if (roll < 5 || working.Trees.Count == 0)
        {
            if (working.HasTree(name) || working.Trees.Count >= MaxTrees)
                return;
            tx.CreateTree(name);
            working.CreateTree(name);
            return;
        }
        string existing = working.Trees.Keys.ElementAt(random.Next(working.Trees.Count));
        if (roll < 7)
        {
            tx.DropTree(existing);
            working.DropTree(existing);
            return;
        }
        Tree tree = tx.GetTree(existing);
        if (roll < 75)
        {
            byte[] key = RandomKey(), value = RandomValue();
            tree.Put(key, value);
            working.Put(existing, key, value);
            return;
        }
        SortedDictionary<byte[], byte[]> entries = working.Trees[existing];
        byte[] victim = entries.Count > 0 && random.Next(3) != 0 ? entries.Keys.ElementAt(random.Next(entries.Count)) : RandomKey();
        bool removed = tree.Delete(victim);
        if (removed != working.Delete(existing, victim))
            throw new WorkloadCheckException($"Delete returned {removed} for a key the model {(removed ? "lacks" : "has")}");
    }

    private byte[] RandomKey()
    {
        var key = new byte[random.Next(8) == 0 ? random.Next(1, 300) : random.Next(1, 5)];
        random.NextBytes(key);
        return key;
    }

    private byte[] RandomValue()
    {
        var value = new byte[random.Next(16) == 0 ? random.Next(3000, 30_000) : random.Next(0, 120)];
        random.NextBytes(value);
        return value;
    }

    private void ReleaseReader()
    {
        if (_readers.Count == 0)
            return;
        int which = random.Next(_readers.Count);
        (ReadTransaction transaction, ulong digest) = _readers[which];
        _readers.RemoveAt(which);
        using (transaction)
            Check(WorkloadModel.Load(transaction), digest, "a held reader no longer sees the commit it began at");
    }

    private void ReleaseReaders()
    {
        foreach ((ReadTransaction transaction, ulong _) in _readers)
            transaction.Dispose();
        _readers.Clear();
    }

    private static void Check(WorkloadModel actual, ulong expectedDigest, string problem)
    {
        if (actual.Digest != expectedDigest)
            throw new WorkloadCheckException($"{problem}: found {actual}, expected digest {expectedDigest:x16}");
    }

    private static void IgnoreFailure(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // After a simulated crash every I/O call fails; what disposal throws is expected and says nothing.
        }
    }
}

/// <summary>The database disagreed with the workload's model while running (not after a crash).</summary>
internal sealed class WorkloadCheckException : Exception
{
    public WorkloadCheckException() { }

    public WorkloadCheckException(string message) : base(message) { }

    public WorkloadCheckException(string message, Exception innerException) : base(message, innerException) { }
}
