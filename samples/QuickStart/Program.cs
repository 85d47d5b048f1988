using System.Diagnostics;
using PageDb;
using PageDb.Samples;
using PageDb.Samples.QuickStart;

// The quick start: generates a shop (customers and at least 100,000 orders, from a fixed seed), loads it into
// demo.pagedb in the given folder (or a new temporary one), runs a few query plans - a filter, index ranges, a
// group-by and joins - printing each plan, its first rows and its time, then prints the database's statistics and
// checks its integrity. Every answer is compared with one computed directly from the generated rows: the exit code is
// 1 when any differs, so CI notices a wrong answer.
const int Seed = 20_261_201;
SampleArguments? arguments = SampleArguments.Parse(args, "QuickStart [folder] [--rows N]  (N orders, default 100,000)",
    new SampleOption("rows", Default: 100_000, Min: 1, Max: 10_000_000));
if (arguments is null)
    return 2;
var total = Stopwatch.StartNew();
string path = arguments.FreshDatabasePath("demo.pagedb");
ShopData shop = ShopData.Generate((int)arguments["rows"], Seed);
var check = new AnswerCheck();

using (PageDatabase db = PageDatabase.Open(path))
{
    Console.WriteLine($"Opened {path}");
    ShopTables.Load(db, shop);
    using (ReadTransaction tx = db.BeginRead())
        new ShopQueries(tx, shop, check).RunAll();
    Console.WriteLine();
    DatabaseReport.Print(db, check);
}
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:N1} s.");
return check.Report();
