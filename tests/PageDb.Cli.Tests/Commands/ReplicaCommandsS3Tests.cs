using PageDb.Replication;
using PageDb.Replication.Tests;

namespace PageDb.Cli.Tests.Commands;

/// <summary>
/// replicas, restore, follow and stats --replica with an <c>s3://bucket/prefix</c> address, against a real
/// S3-compatible server (<see cref="S3rverProcess"/>), reached as a user would: the endpoint in
/// <c>PAGEDB_S3_ENDPOINT</c>, the credentials in <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c>. Not
/// parallel: it sets those variables for the process while it runs (no other test reads them).
/// </summary>
[NonParallelizable]
public sealed class ReplicaCommandsS3Tests
{
    private static readonly string[] Variables = ["PAGEDB_S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    private S3rverProcess _server = null!;
    private readonly Dictionary<string, string?> _saved = [];
    private CliRun _run = null!;

    [OneTimeSetUp]
    public void StartServer()
    {
        _server = S3rverProcess.Start();
        foreach (string variable in Variables)
            _saved[variable] = Environment.GetEnvironmentVariable(variable);
        Environment.SetEnvironmentVariable("PAGEDB_S3_ENDPOINT", _server.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverProcess.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverProcess.AccessKey);
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        foreach ((string variable, string? value) in _saved)
            Environment.SetEnvironmentVariable(variable, value);
        _server?.Dispose();
    }

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void An_s3_replica_is_listed_restored_followed_and_shown_by_the_command_line()
    {
        string prefix = "cli-" + Guid.NewGuid().ToString("N");
        string url = $"s3://{S3rverProcess.Bucket}/{prefix}";
        string source = _run.File("source.pagedb");
        using (var store = new S3ReplicaStore(new S3ReplicaStoreOptions
        {
            Bucket = S3rverProcess.Bucket,
            Prefix = prefix,
            ServiceUrl = _server.Endpoint,
            AccessKey = S3rverProcess.AccessKey,
            SecretKey = S3rverProcess.AccessKey,
        }))
        {
            ReplicaCommandsTests.ShipRows(store, source, rows: 25);
        }

        string listed = CliRun.Ok("replicas", url).Out;
        string restored = _run.File("restored.pagedb");
        string said = CliRun.Ok("restore", url, restored).Out;
        string replica = _run.File("replica.pagedb");
        string followed = CliRun.Ok("follow", url, replica, "--poll", "20", "--for", "0.2").Out;
        string shown = CliRun.Ok("stats", source, "--replica", url).Out;
        string empty = CliRun.Ok("replicas", $"s3://{S3rverProcess.Bucket}/nothing-{prefix}").Out;

        Assert.That(listed, Does.Contain("segments").And.Not.Contain("not restorable"));
        Assert.That(said, Does.StartWith("restored " + url));
        Assert.That(CliRun.Ok("get", restored, "kv", "k24").Out.Trim(), Is.EqualTo("v24"));
        Assert.That(followed, Does.Contain("following " + url));
        Assert.That(CliRun.Ok("get", replica, "kv", "k24").Out.Trim(), Is.EqualTo("v24"));
        Assert.That(shown, Does.Contain("shipped through"));
        Assert.That(empty, Does.Not.Contain("segments"));
    }
}
