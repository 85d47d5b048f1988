using PageDb.ProcessChild;
using PageDb.Testing.Processes;

namespace PageDb.Cli.Tests.Commands;

/// <summary>
/// The command line on a database another process writes nonstop (tests/PageDb.ProcessChild): the commands that look
/// read one consistent snapshot (check finds 0 problems on the healthy live database), and the commands that change
/// it fail with one line and exit code 2.
/// </summary>
[NonParallelizable]
public sealed class LiveDatabaseCommandsTests
{
    private CliRun _run = null!;
    private ChildProcess _writer = null!;
    private string _db = "";

    [SetUp]
    public void SetUp()
    {
        _run = new CliRun();
        _db = _run.File("live.pagedb");
        _writer = ChildProcess.Start("writer", _db, checkpointThresholdBytes: 64 << 10);
        _writer.WaitFor("READY");
        _writer.WaitForAck(50);
    }

    [TearDown]
    public void TearDown()
    {
        _writer.Dispose();
        _run.Dispose();
    }

    [Test]
    public void Commands_that_look_read_one_snapshot_while_another_process_writes()
    {
        for (int round = 0; round < 20; round++)
        {
            Assert.That(CliRun.Ok("check", _db).Out, Does.Contain(" 0 problems"));
            CliRun.Ok("get", _db, LiveValues.TreeName, "counter");
            CliRun.Ok("stats", _db);
            CliRun.Ok("tables", _db);
            CliRun.Ok("page", _db, "0");
        }
    }

    [TestCase("put", "live", "k", "v")]
    [TestCase("delete", "live", "counter")]
    [TestCase("checkpoint")]
    [TestCase("compact")]
    public void Commands_that_change_it_fail_with_one_line_while_another_process_writes(string command, params string[] rest)
    {
        CliResult result = CliRun.Fails(2, [command, _db, .. rest]);
        Assert.That(result.Err, Does.Contain("database is locked").And.Contain(_db));
    }

    [Test]
    public void Import_fails_with_one_line_while_another_process_writes()
    {
        string csv = _run.File("rows.csv");
        File.WriteAllText(csv, "id,name\n1,a\n2,b\n");
        CliResult result = CliRun.Fails(2, "import", _db, "rows", csv);
        Assert.That(result.Err, Does.Contain("database is locked").And.Contain(_db));
    }
}
