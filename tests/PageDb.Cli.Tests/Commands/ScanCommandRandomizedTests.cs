using System.Globalization;
using PageDb.Testing;

namespace PageDb.Cli.Tests.Commands;

/// <summary><c>pagedb scan</c> against LINQ to Objects over the same rows, on random conditions.</summary>
public sealed class ScanCommandRandomizedTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void ScanFindsTheRowsLinqFindsWhateverThePlan()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        List<Item> items = Item.Generate(random, 120);
        string path = _run.File("items.pagedb");
        Item.CreateDatabase(path, items);
        var conditions = new RandomCondition(random);
        var scansUsed = new HashSet<string>();
        for (int query = 0; query < (TestSeed.LongRun ? 3000 : 200); query++)
        {
            var (text, holds) = conditions.Next(depth: 2);
            if (random.Next(2) == 0)
            {
                var (key, keyHolds) = conditions.KeyLeaf();
                Func<Item, bool?> rest = holds;
                (text, holds) = ($"{key} and ({text})", i => RandomCondition.And(keyHolds(i), rest(i)));
            }
            bool descending = random.Next(2) == 0;
            string[] args = ["scan", path, "items", "--columns", "id", "--where", text, .. descending ? ["--order-by", "id desc"] : Array.Empty<string>()];
            CliResult result = CliRun.Run(args);
            string context = $"{TestSeed.Describe(seed)}, query {query}: --where \"{text}\"\n{result}";
            Assert.That(result.ExitCode, Is.Zero, context);

            List<long> expected = [.. items.Where(i => holds(i) == true).Select(i => i.Id).Order()];
            List<long> printed = PrintedIds(result.Out, context);
            if (descending)
                expected.Reverse();
            else
                printed.Sort();
            Assert.That(printed, Is.EqualTo(expected), context);
            scansUsed.Add(LeafScan(CliRun.Ok("scan", path, "items", "--where", text, "--explain").Out));
        }
        Assert.That(scansUsed, Is.SupersetOf(new[]
        {
            "IndexScan items.primary", "IndexScan items.by_at_qty", "IndexScan items.by_name", "IndexScan items.by_total", "TableScan items",
        }), TestSeed.Describe(seed));
    }

    /// <summary>The ids of a one-column table printed by scan, after checking its "N rows" line agrees.</summary>
    private static List<long> PrintedIds(string output, string context)
    {
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("id"), context);
        List<long> ids = [.. lines[2..^1].Select(l => long.Parse(l, CultureInfo.InvariantCulture))];
        Assert.That(lines[^1], Is.EqualTo(ids.Count == 1 ? "1 row" : $"{ids.Count} rows"), context);
        return ids;
    }

    /// <summary>The operator that reads the table (the plan's last line), as "IndexScan table.index" or "TableScan table".</summary>
    private static string LeafScan(string plan) =>
        string.Join(' ', plan.TrimEnd().Split('\n')[^1].Trim().Split(' ').Take(2));
}
