using System.Runtime.ExceptionServices;
using PageDb.Core.Pages;
using PageDb.Engine;

namespace PageDb.Replication;

/// <summary>
/// A database kept up to date from a replica store: restored once, then a background loop polls the store and applies
/// new segments as they appear (<see cref="SegmentChain"/>), each as one commit, so read transactions on
/// <see cref="Database"/> see the state after some shipped segment, newer with each transaction. When the primary
/// starts a new generation, its snapshot is applied as one commit (every page) and its segments followed from there.
/// Do not write to <see cref="Database"/>: the next segment would overwrite the pages. Failures of the store are
/// retried at the next poll (see <see cref="LastError"/>). The loop runs on a thread of its own, not the thread pool,
/// and waits for the store's calls there (as the replicator does), so an application that keeps every pool thread busy
/// does not stall the replica. Thread-safe.
/// </summary>
public sealed class ReadReplica : IDisposable
{
    private readonly IReplicaStore _store;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new(); // guards _chain's reads by other threads, _lastError and _polls
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _crash; // written by the loop before it ends, read by Dispose after the join
    private SegmentChain _chain;
    private string? _lastError;
    private long _polls;

    private ReadReplica(IReplicaStore store, PageDatabase database, SegmentChain chain, TimeSpan pollInterval)
    {
        _store = store;
        Database = database;
        _chain = chain;
        _pollInterval = pollInterval;
        _thread = new Thread(Run) { IsBackground = true, Name = "PageDb read replica" };
        _thread.Start();
    }

    /// <summary>The replica database, for read transactions.</summary>
    public PageDatabase Database { get; }

    /// <summary>The generation being followed.</summary>
    public string Generation
    {
        get
        {
            lock (_lock)
                return _chain.Generation.Name;
        }
    }

    /// <summary>Commits of <see cref="Generation"/> applied.</summary>
    public long Commits
    {
        get
        {
            lock (_lock)
                return _chain.Commits;
        }
    }

    /// <summary>When the newest segment applied was cut on the primary.</summary>
    public DateTimeOffset ShippedAt
    {
        get
        {
            lock (_lock)
                return _chain.ShippedAt;
        }
    }

    /// <summary>Why the last poll failed or stopped early, or null when it did not.</summary>
    public string? LastError
    {
        get
        {
            lock (_lock)
                return _lastError;
        }
    }

    /// <summary>
    /// Polls finished (applied, or stopped by an error), for tests that bound the lag in polls: a poll that started
    /// after an object was stored has applied it when it finishes, so two finished polls after that suffice.
    /// </summary>
    internal long Polls
    {
        get
        {
            lock (_lock)
                return _polls;
        }
    }

    internal static async Task<ReadReplica> OpenAsync(IReplicaStore store, string path, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        foreach (string file in new[] { path, Wal.WriteAheadLog.PathFor(path), Wal.WriteAheadLog.SecondPathFor(path) })
            File.Delete(file);
        (_, SegmentChain chain) = await ReplicaRestore.RunAsync(store, path, RestoreTarget.Latest, cancellationToken).ConfigureAwait(false);
        PageDatabase database = PageDatabase.Open(path, new PageDbOptions { CreateIfMissing = false, Durability = Durability.Normal });
        return new ReadReplica(store, database, chain, pollInterval);
    }

    /// <summary>Stops following and closes the database.</summary>
    /// <exception cref="Exception">What the loop failed with when it was not a store or I/O failure (a bug).</exception>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        Database.Dispose();
        _crash?.Throw();
    }

    /// <summary>The loop: a poll every poll interval until disposed, on this replica's own thread.</summary>
    private void Run()
    {
        try
        {
            while (!_stop.Token.WaitHandle.WaitOne(_pollInterval))
            {
                string? problem;
                try
                {
                    problem = PollAsync(_stop.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is PageDbException or IOException or TimeoutException)
                {
                    // The store failing, an object damaged, or the replica's write slot held (a reader wrote to it):
                    // recorded, and tried again at the next poll.
                    problem = e.Message;
                }
                lock (_lock)
                {
                    _lastError = problem;
                    _polls++;
                }
            }
        }
        catch (Exception e)
        {
            // Not a store failure: kept for Dispose to throw, as the task that ran the loop did.
            _crash = ExceptionDispatchInfo.Capture(e);
            lock (_lock)
                _lastError = $"the replica stopped following: {e.Message}";
        }
    }

    /// <summary>Applies what the store holds beyond the replica's state; returns why it stopped early, if it did.</summary>
    private async Task<string?> PollAsync(CancellationToken cancellationToken)
    {
        List<ReplicaGeneration> generations = await ReplicaRestore.ListAsync(_store, cancellationToken).ConfigureAwait(false);
        ReplicaGeneration? newest = generations.LastOrDefault(g => g.HasSnapshot);
        SegmentChain chain = _chain;
        if (newest is not null && string.CompareOrdinal(newest.Name, chain.Generation.Name) > 0)
        {
            string? problem = await ApplySnapshotAsync(newest, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
                return problem;
            chain = new SegmentChain(newest);
            lock (_lock)
                _chain = chain;
        }
        ReplicaGeneration? listed = generations.FirstOrDefault(g => g.Name == chain.Generation.Name);
        if (listed is null)
            return null;
        string? stopped = await chain.ApplyAsync(Database, _store, listed, RestoreTarget.Latest, cancellationToken).ConfigureAwait(false);
        return stopped;
    }

    /// <summary>Applies a new generation's snapshot as one commit of all its pages.</summary>
    private async Task<string?> ApplySnapshotAsync(ReplicaGeneration generation, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream();
        string? problem = await ReplicaRestore.DownloadSnapshotAsync(_store, generation, content, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return problem;
        int pageSize = Database.Engine.File.PageSize;
        byte[] bytes = content.ToArray();
        if (bytes.Length == 0 || bytes.Length % pageSize != 0)
            return $"the snapshot '{generation.SnapshotKey}' is not a whole number of {pageSize}-byte pages";
        var pages = new List<(PageNumber Page, ReadOnlyMemory<byte> Image)>(bytes.Length / pageSize);
        for (int offset = 0; offset < bytes.Length; offset += pageSize)
            pages.Add((new PageNumber((uint)(offset / pageSize)), bytes.AsMemory(offset, pageSize)));
        ReplicatedCommit.Apply(Database, pages, (uint)pages.Count, generation.SnapshotKey!);
        return null;
    }
}
