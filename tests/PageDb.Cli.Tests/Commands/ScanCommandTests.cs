namespace PageDb.Cli.Tests.Commands;

/// <summary>
/// <c>pagedb scan</c> on the sample orders table: 20 rows, id 1..20, customer alice (even ids) or bob (odd),
/// total id * 1.5 except null for multiples of 5.
/// </summary>
public sealed class ScanCommandTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    private static string[] Lines(CliResult result) => result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The first cell of each printed row, between the header rule and the "N rows" line.</summary>
    private static string[] FirstCells(CliResult result) => [.. Lines(result)[2..^1].Select(l => l.Split(' ')[0])];

    [Test]
    public void PrintsEveryRowUnderAHeaderThenTheCount()
    {
        string[] lines = Lines(CliRun.Ok("scan", _run.CreateSampleDatabase(), "orders"));
        Assert.That(lines[0], Does.Match(@"^id\s+customer\s+total$"));
        Assert.That(lines[1], Does.Match(@"^-+\s+-+\s+-+$"));
        Assert.That(lines[2..^1], Has.Length.EqualTo(20));
        Assert.That(lines[2], Does.Match(@"^1\s+bob\s+1\.5$"));
        Assert.That(lines[6], Does.Match(@"^5\s+bob\s+NULL$"));
        Assert.That(lines[^1], Is.EqualTo("20 rows"));
    }

    [Test]
    public void WhereKeepsTheRowsTheConditionHoldsFor()
    {
        CliResult result = CliRun.Ok("scan", _run.CreateSampleDatabase(), "orders", "--where", "total > 10 and customer = 'alice'");
        Assert.That(FirstCells(result), Is.EqualTo(new[] { "8", "12", "14", "16", "18" }));
        Assert.That(Lines(result)[^1], Is.EqualTo("5 rows"));
    }

    [Test]
    public void ANullConditionKeepsNothingAndIsNullFindsTheNulls()
    {
        string path = _run.CreateSampleDatabase();
        Assert.That(FirstCells(CliRun.Ok("scan", path, "orders", "--where", "total is null")), Is.EqualTo(new[] { "5", "10", "15", "20" }));
        Assert.That(Lines(CliRun.Ok("scan", path, "orders", "--where", "not (total > 0)"))[^1], Is.EqualTo("0 rows"));
        Assert.That(Lines(CliRun.Ok("scan", path, "orders", "--where", "id = 3"))[^1], Is.EqualTo("1 row"));
    }

    [Test]
    public void ExplainShowsAnIndexScanWhenTheKeyIsConstrained()
    {
        CliResult result = CliRun.Ok("scan", _run.CreateSampleDatabase(), "orders", "--where", "id >= 5 and id < 8 and total > 1", "--explain");
        string[] plan = Lines(result);
        Assert.That(plan[0], Is.EqualTo("Filter (total > 1)"));
        Assert.That(plan[1], Does.StartWith("  IndexScan orders.primary key ["));
        Assert.That(result.Out, Does.Not.Contain("rows").And.Not.Contain("TableScan"));
    }

    [Test]
    public void ExplainShowsATableScanOtherwise()
    {
        CliResult result = CliRun.Ok("scan", _run.CreateSampleDatabase(), "orders", "--where", "total > 10 or id = 1", "--explain");
        Assert.That(result.Out.Trim(), Is.EqualTo("TableScan orders [id, customer, total] where ((total > 10) or (id = 1))"));
    }

    [Test]
    public void ASecondaryIndexAnswersAConditionOnItsFirstColumn()
    {
        string path = _run.CreateSampleDatabase();
        using (var database = PageDatabase.Open(path))
        using (WriteTransaction tx = database.BeginWrite())
        {
            tx.GetTable("orders").CreateIndex("by_customer", ["customer"]);
            tx.Commit();
        }
        string[] args = ["scan", path, "orders", "--where", "customer = 'bob' and id > 12"];
        Assert.That(Lines(CliRun.Ok([.. args, "--explain"]))[^1], Does.StartWith("  IndexScan orders.primary key"), "the key comes first");
        args[4] = "customer = 'bob' and total < 20";
        Assert.That(Lines(CliRun.Ok([.. args, "--explain"]))[^1], Does.StartWith("  IndexScan orders.by_customer"));
        Assert.That(FirstCells(CliRun.Ok(args)), Is.EqualTo(new[] { "1", "3", "7", "9", "11", "13" }));
    }

    [Test]
    public void OrderBySortsAscendingOrDescendingWithNullsFirstAscending()
    {
        string path = _run.CreateSampleDatabase(rows: 6);
        Assert.That(FirstCells(CliRun.Ok("scan", path, "orders", "--order-by", "total")), Is.EqualTo(new[] { "5", "1", "2", "3", "4", "6" }));
        Assert.That(FirstCells(CliRun.Ok("scan", path, "orders", "--order-by", "total DESC")), Is.EqualTo(new[] { "6", "4", "3", "2", "1", "5" }));
        Assert.That(FirstCells(CliRun.Ok("scan", path, "orders", "--order-by", "customer desc, id desc")),
            Is.EqualTo(new[] { "5", "3", "1", "6", "4", "2" }));
    }

    [Test]
    public void LimitStopsAfterThatManyRows()
    {
        string path = _run.CreateSampleDatabase();
        CliResult result = CliRun.Ok("scan", path, "orders", "--order-by", "id desc", "--limit", "3");
        Assert.That(FirstCells(result), Is.EqualTo(new[] { "20", "19", "18" }));
        Assert.That(Lines(result)[^1], Is.EqualTo("3 rows"));
        Assert.That(Lines(CliRun.Ok("scan", path, "orders", "--limit", "0")), Has.Length.EqualTo(3));
        Assert.That(CliRun.Fails(ExitCodes.Usage, "scan", path, "orders", "--limit", "-1").Err, Does.Contain("--limit must be 0 or more"));
    }

    [Test]
    public void ColumnsChoosesAndOrdersThePrintedColumns()
    {
        string path = _run.CreateSampleDatabase(rows: 3);
        string[] lines = Lines(CliRun.Ok("scan", path, "orders", "--columns", "total, id"));
        Assert.That(lines[0], Does.Match(@"^total\s+id$"));
        Assert.That(lines[2], Does.Match(@"^1\.5\s+1$"));
        CliResult sortedByHidden = CliRun.Ok("scan", path, "orders", "--columns", "customer", "--order-by", "total desc");
        Assert.That(Lines(sortedByHidden), Is.EqualTo(new[] { "customer", "--------", "bob", "alice", "bob", "3 rows" }));
    }

    [Test]
    public void ValuesOfEveryTypeArePrintedPlainly()
    {
        string path = _run.File("items.pagedb");
        var when = new DateTime(2024, 2, 29, 13, 45, 6, DateTimeKind.Utc);
        Item.CreateDatabase(path, [
            new Item(1, "it's", -3, 0.1, 12.50m, when, true, [0x00, 0xab]),
            new Item(2, null, 0, null, -0.5m, when.AddTicks(1234), null, []),
        ]);
        string[] lines = Lines(CliRun.Ok("scan", path, "items", "--order-by", "id"));
        Assert.That(lines[0], Does.Match(@"^id\s+name\s+qty\s+total\s+price\s+at\s+flag\s+data$"));
        Assert.That(lines[2], Does.Match(@"^1\s+it's\s+-3\s+0\.1\s+12\.50\s+2024-02-29T13:45:06Z\s+true\s+0x00ab$"));
        Assert.That(lines[3], Does.Match(@"^2\s+NULL\s+0\s+NULL\s+-0\.5\s+2024-02-29T13:45:06\.0001234Z\s+NULL\s+0x$"));
    }

    [Test]
    public void TypedConstantsMatchDateTimeDecimalAndBytesColumns()
    {
        string path = _run.File("items.pagedb");
        var day = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        Item.CreateDatabase(path, [
            new Item(1, "a", 1, 1.0, 1.10m, day, true, [1]),
            new Item(2, "b", 2, 2.0, 2.20m, day.AddDays(1), false, [2]),
            new Item(3, "c", 3, 3.0, 3.30m, day.AddDays(2), false, [3]),
        ]);
        string[] Ids(string where) => FirstCells(CliRun.Ok("scan", path, "items", "--where", where));
        Assert.That(Ids("at >= '2024-03-02'"), Is.EqualTo(new[] { "2", "3" }));
        Assert.That(Ids("at < '2024-03-02T00:00:01Z' and price = 1.1"), Is.EqualTo(new[] { "1" }));
        Assert.That(Ids("price > '2.2' or data = '0x01'"), Is.EqualTo(new[] { "1", "3" }));
        Assert.That(Ids("not flag and total * 2 = qty + 2"), Is.EqualTo(new[] { "2" }));
    }

    [Test]
    public void AWriteLockedDatabaseCanStillBeScanned()
    {
        string path = _run.CreateSampleDatabase();
        using var writer = PageDatabase.Open(path);
        Assert.That(Lines(CliRun.Ok("scan", path, "orders", "--where", "id < 3"))[^1], Is.EqualTo("2 rows"));
    }

    [Test]
    public void AMissingFileIsOneLine()
    {
        string path = _run.File("missing.pagedb");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "scan", path, "orders").Err, Does.Contain("database file not found"));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void AFileThatIsNotADatabaseIsOneLine()
    {
        string path = _run.File("notes.txt");
        File.WriteAllText(path, new string('x', 10000));
        Assert.That(CliRun.Fails(ExitCodes.Failed, "scan", path, "orders").Err, Does.Contain("not a PageDb database").Or.Contain("corrupt"));
    }

    [Test]
    public void AnUnknownTableIsOneLine()
    {
        CliResult result = CliRun.Fails(ExitCodes.Failed, "scan", _run.CreateSampleDatabase(), "nope", "--where", "id = 1");
        Assert.That(result.Err, Does.Contain("unknown table 'nope'").And.Contain("orders"));
    }

    [TestCase("--where", "total >", "pagedb: --where, character 8: Expected an expression, found the end of the text.")]
    [TestCase("--where", "totl > 1", "pagedb: --where, character 1: unknown column 'totl' (columns: id, customer, total)")]
    [TestCase("--where", "customer > 1", "pagedb: --where, character 10: cannot compare String column 'customer' with Int64 1")]
    [TestCase("--where", "id", "pagedb: --where, character 1: a condition needs a Boolean, not Int64 column 'id'")]
    [TestCase("--order-by", "id sideways", "pagedb: --order-by, character 4: Expected the end of the text, found 'sideways'.")]
    [TestCase("--order-by", "cost", "pagedb: --order-by, character 1: unknown column 'cost' (columns: id, customer, total)")]
    [TestCase("--columns", "id,cost", "pagedb: --columns: unknown column 'cost' (columns: id, customer, total)")]
    [TestCase("--columns", "id,,total", "pagedb: --columns: 'id,,total' has an empty column name (write names separated by commas)")]
    public void ABadExpressionIsOneLineNamingTheOption(string option, string value, string message)
    {
        CliResult result = CliRun.Fails(ExitCodes.Failed, "scan", _run.CreateSampleDatabase(), "orders", option, value);
        Assert.That(result.Err.TrimEnd(), Is.EqualTo(message));
        Assert.That(result.Out, Is.Empty);
    }
}
