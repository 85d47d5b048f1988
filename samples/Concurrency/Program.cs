using System.Diagnostics;
using PageDb;
using PageDb.Samples;
using PageDb.Samples.Concurrency;

// Readers on snapshots while a writer commits: one writer thread moves money between accounts, one small durable
// transaction per transfer, while reader threads take snapshots and check that each one balances, contains every
// transfer committed before it began, and does not change while the writer goes on committing. The exit code is 1
// on any violation.
const int Seed = 11;
const long OpeningBalance = 1_000;
SampleArguments? arguments = SampleArguments.Parse(args,
    "Concurrency [folder] [--commits N] [--readers N] [--accounts N] [--seconds S]  (S > 0 runs S seconds instead of N commits)",
    new SampleOption("commits", Default: 2_000, Min: 1, Max: 100_000_000),
    new SampleOption("readers", Default: 4, Min: 1, Max: 64),
    new SampleOption("accounts", Default: 100, Min: 2, Max: 100_000),
    new SampleOption("seconds", Default: 0, Min: 0, Max: 86_400));
if (arguments is null)
    return 2;
var total = Stopwatch.StartNew();
int accounts = (int)arguments["accounts"];
long expectedTotal = accounts * OpeningBalance;
DateTime? deadline = arguments["seconds"] > 0 ? DateTime.UtcNow.AddSeconds(arguments["seconds"]) : null;
var check = new AnswerCheck();
string path = arguments.FreshDatabasePath("bank.pagedb");
using (PageDatabase db = PageDatabase.Open(path))
{
    Console.WriteLine($"Opened {path}");
    Bank.Open(db, accounts, OpeningBalance);
    Console.WriteLine($"{accounts:N0} accounts of {OpeningBalance:N0}; total {expectedTotal:N0}");

    var writer = new TransferWriter(db, accounts, Seed);
    SnapshotReader[] readers = Enumerable.Range(0, (int)arguments["readers"]).Select(_ => new SnapshotReader(db, writer, expectedTotal, check)).ToArray();
    Thread[] threads = readers.Select((reader, i) => new Thread(() => reader.Run(i)) { Name = $"reader {i}" })
        .Append(new Thread(() => writer.Run(arguments["commits"], deadline, check)) { Name = "writer" }).ToArray();
    foreach (Thread thread in threads)
        thread.Start();
    foreach (Thread thread in threads)
        thread.Join();

    Console.WriteLine($"Writer: {writer.Committed:N0} transfers committed (Durability.Full) in {writer.Elapsed.TotalSeconds:N1} s, " +
        $"{writer.Committed / writer.Elapsed.TotalSeconds:N0} commits/s");
    Console.WriteLine($"Readers: {readers.Length} threads checked {readers.Sum(r => r.Snapshots):N0} snapshots, " +
        $"{readers.Sum(r => r.Overlapped):N0} of them while the writer committed");
    using (ReadTransaction tx = db.BeginRead())
    {
        BankSnapshot last = Bank.Read(tx);
        Console.WriteLine($"After the writer: {last.Transfers:N0} transfers recorded, total {last.Total:N0}");
        check.Equal("transfers recorded", writer.Committed, last.Transfers);
        check.Equal("total at the end", expectedTotal, last.Total);
    }
    IntegrityReport report = db.CheckIntegrity();
    Console.WriteLine($"Integrity: {report}");
    check.That(report.IsOk, "integrity check", report.ToString);
}
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:N1} s.");
return check.Report();
