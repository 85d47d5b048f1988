using System.Globalization;
using PageDb;
using PageDb.Replication;
using PageDb.Replication.Tests;

// Arguments: database path, replica folder, and optionally "stall-snapshots" (every snapshot put hangs until the store
// timeout, so the snapshot's spill file beside the database is there when the process is killed) or "stall-segments"
// (every segment put hangs: the process is killed before its replicator's first cut is stored). Prints "READY n"
// (the commit the database holds), then "ACK n" after each commit returns, "SHIPPED n" whenever the replicator
// reports that the store holds every commit up to n, and "RESUME note" once the replicator has decided whether it
// continues the store's generation (ReplicationStats.Resume); runs until killed.
string path = args[0];
IReplicaStore store = new FolderReplicaStore(args[1]);
if (args.Length > 2 && args[2] is "stall-snapshots" or "stall-segments")
    store = new StallingStore(store, args[2] == "stall-snapshots" ? "/snapshot-" : ".segment");
using PageDatabase database = PageDatabase.Open(path, new PageDbOptions
{
    Durability = Durability.Normal,
    Replication = new ReplicationOptions { Store = store, SegmentInterval = TimeSpan.FromMilliseconds(20) },
});
long n = CommitLog.CommitOf(database, path);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {n}"));
bool resumeReported = false;
while (true)
{
    CommitLog.Commit(database, ++n);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK {n}"));
    if (!resumeReported && database.GetStats().Replication!.Resume is { } note)
    {
        Console.WriteLine($"RESUME {note}");
        resumeReported = true;
    }
    if (n % 100 != 0)
        continue;
    // A pause, so the replicator catches up now and then and the test has a shipped commit to check (up to 250 ms: on
    // a loaded machine one 50 ms pause was often too short for any commit to be seen shipped).
    for (int wait = 0; wait < 25 && database.GetStats().Replication!.LagCommits != 0; wait++)
        Thread.Sleep(10);
    if (database.GetStats().Replication!.LagCommits == 0)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SHIPPED {n}"));
}

/// <summary>A store whose puts of keys containing <paramref name="stalled"/> never finish (until the caller's timeout cancels them); everything else passes through.</summary>
internal sealed class StallingStore(IReplicaStore inner, string stalled) : IReplicaStore
{
    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        if (key.Contains(stalled, StringComparison.Ordinal))
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        await inner.PutAsync(key, content, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> TryGetAsync(string key, Stream destination, CancellationToken cancellationToken = default) =>
        inner.TryGetAsync(key, destination, cancellationToken);

    public Task<IReadOnlyList<ReplicaObject>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
}
