using System.Globalization;
using PageDb;
using PageDb.Replication;
using PageDb.Replication.Tests;

// Arguments: database path, replica folder. Prints "READY n" (the commit the database holds), then "ACK n" after each
// commit returns and "SHIPPED n" whenever the replicator reports that the store holds every commit up to n; runs
// until killed.
string path = args[0];
var store = new FolderReplicaStore(args[1]);
using PageDatabase database = PageDatabase.Open(path, new PageDbOptions
{
    Durability = Durability.Normal,
    Replication = new ReplicationOptions { Store = store, SegmentInterval = TimeSpan.FromMilliseconds(20) },
});
long n = CommitLog.CommitOf(database, path);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {n}"));
while (true)
{
    CommitLog.Commit(database, ++n);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK {n}"));
    if (n % 100 != 0)
        continue;
    Thread.Sleep(50); // a pause, so the replicator catches up now and then and the test has a shipped commit to check
    if (database.GetStats().Replication!.LagCommits == 0)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SHIPPED {n}"));
}
