namespace PageDb.Cli.Tests.Commands;

public sealed class KeyValueCommandsTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void PutCreatesTheDatabaseAndGetReadsTheValueBack()
    {
        string path = _run.File("kv.pagedb");
        CliRun.Ok("put", path, "users", "alice", "admin");
        Assert.That(CliRun.Ok("get", path, "users", "alice").Out.Trim(), Is.EqualTo("admin"));
    }

    [Test]
    public void HexKeysAndValuesRoundTrip()
    {
        string path = _run.File("kv.pagedb");
        CliRun.Ok("put", path, "bin", "0x00ff", "0x0102");
        Assert.That(CliRun.Ok("get", path, "bin", "0x00FF").Out.Trim(), Is.EqualTo("0x0102"));
        using var database = PageDatabase.Open(path, new PageDbOptions { ReadOnly = true });
        using ReadTransaction tx = database.BeginRead();
        Assert.That(tx.GetTree("bin").Get(new byte[] { 0x00, 0xff }), Is.EqualTo(new byte[] { 1, 2 }));
    }

    [Test]
    public void DeleteRemovesAndAMissingKeyFails()
    {
        string path = _run.File("kv.pagedb");
        CliRun.Ok("put", path, "users", "alice", "admin");
        CliRun.Ok("delete", path, "users", "alice");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "get", path, "users", "alice").Err, Does.Contain("not found"));
        CliRun.Fails(ExitCodes.Failed, "delete", path, "users", "alice");
    }

    [Test]
    public void UnknownTreeIsOneLine()
    {
        string path = _run.CreateSampleDatabase();
        Assert.That(CliRun.Fails(ExitCodes.Failed, "get", path, "nope", "k").Err, Does.Contain("unknown tree 'nope'"));
    }

    [Test]
    public void BadHexIsOneLine()
    {
        CliRun.Fails(ExitCodes.Failed, "put", _run.File("kv.pagedb"), "t", "0xabc", "v");
    }
}
