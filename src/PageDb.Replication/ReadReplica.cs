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
    private readonly string _path;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new(); // guards _chain's reads by other threads, _lastError and _polls
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _crash; // written by the loop before it ends, read by Dispose after the join
    private SegmentChain _chain;
    private string? _lastError;
    private long _polls;
    private ReplicaPosition? _saved; // the loop's alone: what the position file holds, as last written

    private ReadReplica(IReplicaStore store, string path, PageDatabase database, SegmentChain chain, string resume, TimeSpan pollInterval)
    {
        _store = store;
        _path = path;
        Database = database;
        _chain = chain;
        Resume = resume;
        _pollInterval = pollInterval;
        _saved = chain.Position;
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

    /// <summary>
    /// How the replica was opened: "resumed ..." when it continued from its existing local file (only the segments
    /// after the position recorded beside it were fetched), or "restored from scratch: " and why it could not resume
    /// (no local file or position file, a new generation upstream, a damaged position file, a local file changed since).
    /// </summary>
    public string Resume { get; }

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
        (PageDatabase? database, SegmentChain? chain, string resume) = await TryResumeAsync(store, path, cancellationToken).ConfigureAwait(false);
        if (database is null)
        {
            resume = $"restored from scratch: {resume}";
            foreach (string file in new[] { path, Wal.WriteAheadLog.PathFor(path), Wal.WriteAheadLog.SecondPathFor(path), ReplicaPosition.PathFor(path) })
                File.Delete(file);
            (_, chain) = await ReplicaRestore.RunAsync(store, path, RestoreTarget.Latest, cancellationToken).ConfigureAwait(false);
            database = PageDatabase.Open(path, new PageDbOptions { CreateIfMissing = false, Durability = Durability.Normal });
            chain.Hash = DatabaseStateHash.OfDatabase(database);
        }
        try
        {
            chain!.Position.Write(path);
        }
        catch
        {
            database.Dispose();
            throw;
        }
        return new ReadReplica(store, path, database, chain, resume, pollInterval);
    }

    /// <summary>
    /// Opens the replica's existing file and applies the segments after its position (invariant 2 of
    /// <see cref="ReplicaPosition"/>), or returns null with why it cannot.
    /// </summary>
    private static async Task<(PageDatabase? Database, SegmentChain? Chain, string Resume)> TryResumeAsync(IReplicaStore store, string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return (null, null, "there was no local file");
        ReplicaPosition? position = ReplicaPosition.TryRead(path, out string reason);
        if (position is null)
            return (null, null, reason);
        ReplicaGeneration? newest = (await ReplicaRestore.ListAsync(store, cancellationToken).ConfigureAwait(false)).LastOrDefault(g => g.HasSnapshot);
        if (newest is null || newest.Name != position.Generation)
            return (null, null, $"the store's newest generation is {newest?.Name ?? "none"}, the local file is at generation {position.Generation}");
        bool listed = position.Sequence == 0
            ? newest.SnapshotChecksum == position.Checksum
            : newest.SegmentsAt(position.Sequence).Any(s => s.Checksum == position.Checksum);
        if (!listed)
            return (null, null, $"the store does not hold object {position.Sequence} of generation {position.Generation} with the checksum the position file names");
        PageDatabase database;
        try
        {
            database = PageDatabase.Open(path, new PageDbOptions { CreateIfMissing = false, Durability = Durability.Normal });
        }
        catch (Exception e) when (e is PageDbException or IOException)
        {
            return (null, null, $"the local file could not be opened: {e.Message}");
        }
        try
        {
            DatabaseStateHash hash = DatabaseStateHash.OfDatabase(database);
            if (hash.PageCount != position.PageCount || hash.Value != position.StateHash)
            {
                database.Dispose();
                return (null, null, $"the local file is not the state its position file records (generation {position.Generation}, object {position.Sequence}): it changed since");
            }
            SegmentChain chain = SegmentChain.At(newest, position, hash);
            try
            {
                await chain.ApplyAsync(database, store, newest, RestoreTarget.Latest, cancellationToken).ConfigureAwait(false);
            }
            catch (CorruptDatabaseException e)
            {
                database.Dispose();
                return (null, null, $"a later segment from the store could not be applied: {e.Message}");
            }
            return (database, chain, $"resumed generation {position.Generation} from the local file after object {position.Sequence}, then applied {chain.SegmentsApplied} later segments");
        }
        catch (CorruptDatabaseException e)
        {
            database.Dispose();
            return (null, null, $"the local file could not be read: {e.Message}");
        }
        catch
        {
            database.Dispose();
            throw;
        }
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
            (string? problem, DatabaseStateHash? hash) = await ApplySnapshotAsync(newest, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
                return problem;
            chain = new SegmentChain(newest) { Hash = hash };
            lock (_lock)
                _chain = chain;
            SavePosition(chain);
        }
        ReplicaGeneration? listed = generations.FirstOrDefault(g => g.Name == chain.Generation.Name);
        if (listed is null)
            return null;
        try
        {
            return await chain.ApplyAsync(Database, _store, listed, RestoreTarget.Latest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SavePosition(chain);
        }
    }

    /// <summary>
    /// Records where <paramref name="chain"/> stands beside the file, when it moved since the last write: also inside a
    /// segment a damaged page stopped it in, as the last whole object and the last good commit applied after it, so a
    /// reopen resumes there (skipping that segment's steps through that commit) instead of restoring from scratch.
    /// </summary>
    private void SavePosition(SegmentChain chain)
    {
        ReplicaPosition position = chain.Position;
        if (position == _saved)
            return;
        position.Write(_path);
        _saved = position;
    }

    /// <summary>Applies a new generation's snapshot as one commit of all its pages; returns the problem, or the state's fingerprint.</summary>
    private async Task<(string? Problem, DatabaseStateHash? Hash)> ApplySnapshotAsync(ReplicaGeneration generation, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream();
        string? problem = await ReplicaRestore.DownloadSnapshotAsync(_store, generation, content, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
            return (problem, null);
        int pageSize = Database.Engine.File.PageSize;
        byte[] bytes = content.ToArray();
        if (bytes.Length == 0 || bytes.Length % pageSize != 0)
            return ($"the snapshot '{generation.SnapshotKey}' is not a whole number of {pageSize}-byte pages", null);
        var pages = new List<(PageNumber Page, ReadOnlyMemory<byte> Image)>(bytes.Length / pageSize);
        for (int offset = 0; offset < bytes.Length; offset += pageSize)
            pages.Add((new PageNumber((uint)(offset / pageSize)), bytes.AsMemory(offset, pageSize)));
        ReplicatedCommit.Apply(Database, pages, (uint)pages.Count, generation.SnapshotKey!);
        var hash = new DatabaseStateHash();
        hash.Apply((uint)pages.Count, pages);
        return (null, hash);
    }
}
