using System.Diagnostics;

namespace PageDb.Cli.Tests;

public sealed class CliTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void MissingDatabaseFileIsOneLineAndExit2()
    {
        CliResult result = CliRun.Fails(ExitCodes.Failed, "count", _run.File("missing.pagedb"), "orders");
        Assert.That(result.Err, Does.Contain("not found"));
        Assert.That(File.Exists(_run.File("missing.pagedb")), Is.False, "a read command must not create the file");
    }

    [Test]
    public void FileThatIsNotADatabaseIsOneLine()
    {
        string path = _run.File("notes.txt");
        File.WriteAllText(path, new string('x', 10000));
        CliResult result = CliRun.Fails(ExitCodes.Failed, "tables", path);
        Assert.That(result.Err, Does.Contain("not a PageDb database").Or.Contain("corrupt"));
    }

    [Test]
    public void LockedDatabaseIsOneLine()
    {
        string path = _run.CreateSampleDatabase();
        using var holder = PageDatabase.Open(path);
        CliResult result = CliRun.Fails(ExitCodes.Failed, "put", path, "kv", "a", "b");
        Assert.That(result.Err, Does.Contain("locked"));
    }

    [Test]
    public void UnknownTableNamesTheTablesThatExist()
    {
        string path = _run.CreateSampleDatabase();
        CliResult result = CliRun.Fails(ExitCodes.Failed, "count", path, "nope");
        Assert.That(result.Err, Does.Contain("unknown table 'nope'").And.Contain("orders"));
    }

    [Test]
    public void UnknownCommandIsAUsageError()
    {
        CliResult result = CliRun.Fails(ExitCodes.Usage, "frobnicate");
        Assert.That(result.Err, Does.Contain("frobnicate"));
    }

    [Test]
    public void MissingArgumentIsAUsageError()
    {
        CliRun.Fails(ExitCodes.Usage, "count", _run.File("x.pagedb"));
    }

    [Test]
    public void HelpListsTheCommands()
    {
        CliResult result = CliRun.Ok("--help");
        Assert.That(result.Out, Does.Contain("tables").And.Contain("checkpoint").And.Contain("put"));
    }

    [Test]
    public void TheBuiltToolRunsAsAProcess()
    {
        string path = _run.CreateSampleDatabase();
        string tool = Path.Combine(AppContext.BaseDirectory, "PageDb.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { tool, "count", path, "orders" })
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True);
        Assert.That(process.ExitCode, Is.Zero, error);
        Assert.That(output.Trim(), Is.EqualTo("20"));
    }

    [Test]
    public void TheBuiltToolReportsAnErrorWithoutAStackTrace()
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "PageDb.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { tool, "tables", _run.File("missing.pagedb") })
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(60_000), Is.True);
        Assert.That(process.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
    }
}
