namespace PageDb.Cli.Tests.Commands;

/// <summary>tables, schema and count.</summary>
public sealed class TableInfoCommandsTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void TablesListsTablesAndTreesWithCounts()
    {
        string output = CliRun.Ok("tables", _run.CreateSampleDatabase()).Out;
        Assert.That(output, Does.Match(@"orders\s+table\s+20"));
        Assert.That(output, Does.Match(@"kv\s+tree\s+1"));
    }

    [Test]
    public void TablesHidesTheStatisticsTableThatSqlStillReads()
    {
        string path = _run.File("analyzed.pagedb");
        CliRun.Ok("sql", path, "CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2); ANALYZE");
        string output = CliRun.Ok("tables", path).Out;
        Assert.That(output, Does.Match(@"\nt\s+table\s+2"));
        Assert.That(output, Does.Not.Contain("pagedb_stat"));
        Assert.That(CliRun.Ok("sql", path, "SELECT rows FROM pagedb_stat WHERE tbl = 't' AND col = 'id' AND bucket = 0").Out, Does.Contain('2'));
        Assert.That(CliRun.Fails(ExitCodes.Failed, "schema", path, "nope").Err, Does.Contain("tables: t)"));
    }

    [Test]
    public void SchemaShowsColumnsAndKey()
    {
        string output = CliRun.Ok("schema", _run.CreateSampleDatabase(), "orders").Out;
        Assert.That(output, Does.Match(@"id\s+Int64\s+no\s+primary"));
        Assert.That(output, Does.Match(@"total\s+Double\s+yes"));
    }

    [Test]
    public void CountPrintsTheRowCount()
    {
        Assert.That(CliRun.Ok("count", _run.CreateSampleDatabase(), "orders").Out.Trim(), Is.EqualTo("20"));
    }
}
