using System.Diagnostics;
using System.Text;
using PageDb;

// The quick start: creates demo.pagedb (in the folder given as the first argument, or a new temporary folder),
// loads 100,000 generated customers into a key-value tree in one transaction, reads some back by key and by range,
// then prints the database's statistics and checks its integrity.
string folder = args.Length > 0 ? args[0] : Directory.CreateTempSubdirectory("pagedb-quickstart-").FullName;
Directory.CreateDirectory(folder);
string path = Path.Combine(folder, "demo.pagedb");
File.Delete(path);
File.Delete(path + "-wal");
const int Customers = 100_000;

using PageDatabase db = PageDatabase.Open(path);
Console.WriteLine($"Opened {path}");

var watch = Stopwatch.StartNew();
using (WriteTransaction tx = db.BeginWrite())
{
    Tree customers = tx.CreateTree("customers");
    for (int id = 0; id < Customers; id++)
        customers.Put(Key(id), Encoding.UTF8.GetBytes($"customer {id}, city {Cities[id % Cities.Length]}, balance {id % 9973}.{id % 100:D2}"));
    tx.Commit();
}
Console.WriteLine($"Loaded {Customers:N0} customers in one transaction: {watch.ElapsedMilliseconds} ms");

watch.Restart();
using (ReadTransaction tx = db.BeginRead())
{
    Tree customers = tx.GetTree("customers");
    var rng = new Random(42);
    int found = 0;
    for (int i = 0; i < 10_000; i++)
        found += customers.Get(Key(rng.Next(Customers))) is null ? 0 : 1;
    Console.WriteLine($"10,000 random lookups found {found:N0}: {watch.Elapsed.TotalMilliseconds:F1} ms");

    Console.WriteLine("Customers 4200 to 4204, by range:");
    foreach ((byte[] key, byte[] value) in customers.Range(Key(4200), Key(4205)))
        Console.WriteLine($"  {Encoding.UTF8.GetString(key)} = {Encoding.UTF8.GetString(value)}");
    Console.WriteLine($"The tree holds {customers.Count:N0} keys");
}

db.Checkpoint(CheckpointMode.Truncate);
DatabaseStats stats = db.GetStats();
Console.WriteLine($"Pages: {stats.PageCount:N0} of {stats.PageSize} bytes ({new FileInfo(path).Length:N0} bytes on disk), free {stats.FreePages}, WAL {stats.WalBytes:N0} bytes");
Console.WriteLine("Pages by type: " + string.Join(", ", stats.PagesByType.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value:N0}")));
Console.WriteLine($"Cache: {stats.CacheHits:N0} hits, {stats.CacheMisses:N0} misses, {stats.CacheEvictions:N0} evictions");
IntegrityReport report = db.CheckIntegrity();
Console.WriteLine($"Integrity: {report}");
return report.IsOk ? 0 : 1;

static byte[] Key(int id) => Encoding.UTF8.GetBytes($"customer:{id:D7}");

partial class Program
{
    private static readonly string[] Cities = ["Lisbon", "Oslo", "Kyoto", "Lima", "Accra", "Perth", "Quebec", "Tartu"];
}
