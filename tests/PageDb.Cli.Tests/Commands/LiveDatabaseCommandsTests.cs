using PageDb.ProcessChild;
using PageDb.Testing.Processes;

namespace PageDb.Cli.Tests.Commands;

/// <summary>
/// The command line on a database another process writes nonstop (tests/PageDb.ProcessChild): the commands that look
/// read one consistent snapshot (check finds 0 problems on the healthy live database; count, scan and export see one
/// commit's table), and the commands that change
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
        _writer = ChildProcess.Start("table-writer", _db, checkpointThresholdBytes: 64 << 10);
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

    [Test]
    public void Count_scan_and_export_see_one_snapshot_of_a_table_while_another_process_writes()
    {
        // Every commit inserts row n and deletes row n-64: a snapshot holds 64 consecutive rows, each (n, 31 n).
        _writer.WaitForAck(LiveValues.RowsKept);
        string csv = _run.File("rows.csv");
        for (int round = 0; round < 20; round++)
        {
            Assert.That(CliRun.Ok("count", _db, LiveValues.TableName).Out.Trim(), Is.EqualTo($"{LiveValues.RowsKept}"));

            string[] scanned = CliRun.Ok("scan", _db, LiveValues.TableName).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(scanned[^1], Is.EqualTo($"{LiveValues.RowsKept} rows"));
            AssertOneWindow(scanned[2..^1].Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)), "scan");

            CliRun.Ok("export", _db, LiveValues.TableName, csv);
            string[] exported = File.ReadAllLines(csv);
            Assert.That(exported[0], Does.StartWith("id"), "the header line");
            AssertOneWindow(exported[1..].Select(line => line.Split(',')), "export");
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

    /// <summary>The rows (id, check) are 64 consecutive ids with check = 31 id: one commit's table, not a mix of two.</summary>
    private static void AssertOneWindow(IEnumerable<string[]> rows, string command)
    {
        long[][] cells = [.. rows.Select(row => row.Select(cell => long.Parse(cell, System.Globalization.CultureInfo.InvariantCulture)).ToArray())];
        Assert.That(cells, Has.Length.EqualTo(LiveValues.RowsKept), command);
        for (int i = 0; i < cells.Length; i++)
        {
            Assert.That(cells[i][0], Is.EqualTo(cells[0][0] + i), $"{command}: the ids are not one commit's consecutive window");
            Assert.That(cells[i][1], Is.EqualTo(31 * cells[i][0]), $"{command}: row {cells[i][0]} holds another row's value");
        }
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
