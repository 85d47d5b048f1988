namespace PageDb.Cli.Tests.Commands;

/// <summary>stats, check, checkpoint and compact.</summary>
public sealed class MaintenanceCommandsTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void StatsShowsPagesByTypeAndWal()
    {
        string output = CliRun.Ok("stats", _run.CreateSampleDatabase()).Out;
        Assert.That(output, Does.Contain("WAL bytes").And.Contain("free pages").And.Contain("cache hits"));
        Assert.That(output, Does.Match(@"FileHeader\s+1"));
    }

    [Test]
    public void StatsShowsTheFillHistogramAndEachTreesHeight()
    {
        string output = CliRun.Ok("stats", _run.CreateSampleDatabase(rows: 2_000)).Out;
        Assert.That(output, Does.Contain("B+tree page fill").And.Contain("90-100%"));
        Assert.That(output, Does.Match(@"\(catalog\)\s+catalog\s+1\s+2\s"), "the catalog holds the table and the tree");
        Assert.That(output, Does.Match(@"\norders\s+table\s+2\s+2,000\s"), "2,000 rows need more than one leaf");
        Assert.That(output, Does.Match(@"\nkv\s+tree\s+1\s+1\s"));
    }

    [Test]
    public void StatsForATablePrintsWhatAnalyzeStored()
    {
        string path = _run.File("analyzed.pagedb");
        CliRun.Ok("sql", path, "CREATE TABLE t(id INTEGER PRIMARY KEY, grp TEXT, b BLOB)");
        CliRun.Ok("sql", path, "INSERT INTO t VALUES (1, 'x', x'0a'), (2, 'y', NULL), (3, 'x', NULL), (4, NULL, NULL)");
        Assert.That(CliRun.Ok("stats", path, "t").Out, Does.Contain("No statistics for table t"));
        CliRun.Ok("sql", path, "ANALYZE t");
        string output = CliRun.Ok("stats", path, "t").Out;
        Assert.That(output, Does.Match(@"\nid\s+4\s+4\s+0\s+1\s+4\n"));
        Assert.That(output, Does.Match(@"\ngrp\s+4\s+2\s+1\s+x\s+y\n"));
        Assert.That(output, Does.Match(@"\nb\s+4\s+1\s+3\s+x'0A'\s+x'0A'\n"));
        Assert.That(output, Does.Match(@"\nid\s+4\s+1\s+1\s+4\s+4\n"), "the last of id's four one-row buckets");
        Assert.That(CliRun.Ok("stats", path).Out, Does.Contain("WAL bytes"), "without a table, stats is as before");
    }

    [Test]
    public void StatsForAnUnknownTableFails()
    {
        string path = _run.CreateSampleDatabase();
        Assert.That(CliRun.Fails(ExitCodes.Failed, "stats", path, "nope").Err, Does.Contain("unknown table 'nope'"));
    }

    [Test]
    public void CheckOnACleanDatabaseExits0()
    {
        Assert.That(CliRun.Ok("check", _run.CreateSampleDatabase()).Out, Does.Contain("0 problems"));
    }

    [Test]
    public void CheckOnACorruptedCopyExits1AndNamesThePage()
    {
        string path = _run.CreateSampleDatabase(rows: 500);
        CliRun.Ok("checkpoint", path);
        using (FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite))
        {
            const int victim = 2;
            file.Position = (victim * 4096L) + 2000;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x5a));
        }
        CliResult result = CliRun.Run("check", path);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Problems), result.ToString());
        Assert.That(result.Out, Does.Contain("page 2"), result.ToString());
    }

    [Test]
    public void CheckpointTruncateEmptiesTheWal()
    {
        string path = _run.CreateSampleDatabase();
        CliRun.Ok("put", path, "kv", "a", "b");
        CliRun.Ok("checkpoint", path, "--mode", "Truncate");
        Assert.That(new FileInfo(path + "-wal").Length, Is.LessThanOrEqualTo(4096));
        Assert.That(CliRun.Ok("get", path, "kv", "a").Out.Trim(), Is.EqualTo("b"));
    }

    [Test]
    public void CheckpointRejectsAnUnknownMode()
    {
        CliRun.Fails(ExitCodes.Usage, "checkpoint", _run.CreateSampleDatabase(), "--mode", "Sideways");
    }

    [Test]
    public void CompactKeepsTheDataAndShrinksAfterDeletes()
    {
        string path = _run.File("c.pagedb");
        using (var database = PageDatabase.Open(path))
        using (WriteTransaction tx = database.BeginWrite())
        {
            Tree tree = tx.CreateTree("t");
            for (int i = 0; i < 3000; i++)
                tree.Put(BitConverter.GetBytes(i), new byte[100]);
            for (int i = 0; i < 2900; i++)
                tree.Delete(BitConverter.GetBytes(i));
            tx.Commit();
        }
        string output = CliRun.Ok("compact", path).Out;
        Assert.That(output, Does.Match(@"compact: [\d,]+ -> [\d,]+ pages"));
        Assert.That(CliRun.Ok("check", path).ExitCode, Is.Zero);
        Assert.That(CliRun.Ok("tables", path).Out, Does.Match(@"t\s+tree\s+100"));
    }
}
