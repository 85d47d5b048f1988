using System.Globalization;
using PageDb;
using PageDb.CrashTests.Harness;

// Usage: PageDb.CrashChild <database path> <seed>
// Opens (or creates) the database with Durability.Full, reads what it holds, prints "READY <digest>", then runs random
// workload steps forever, printing "PRE <digest>" before each commit and "ACK <digest>" after Commit() returns, until
// the parent kills it. Console output is flushed at every line, so the parent sees every acknowledgement.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PageDb.CrashChild <database path> <seed>");
    return 2;
}
string path = args[0];
int seed = int.Parse(args[1], CultureInfo.InvariantCulture);
var options = new PageDbOptions
{
    Durability = Durability.Full,
    CacheSizeBytes = 64 * 4096,
    CheckpointThresholdBytes = 256 << 10,
};
WorkloadModel initial;
using (PageDatabase db = PageDatabase.Open(path, options))
    initial = WorkloadModel.Load(db);
var workload = new Workload(new Random(seed), () => PageDatabase.Open(path, options), initial)
{
    OnCommitting = model => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PRE {model.Digest:x16}")),
    OnAcknowledged = model => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ACK {model.Digest:x16}")),
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {initial.Digest:x16}"));
workload.Open();
while (true)
    workload.Step();
