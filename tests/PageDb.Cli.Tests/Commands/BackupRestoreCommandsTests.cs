namespace PageDb.Cli.Tests.Commands;

/// <summary>backup and restore, over real files.</summary>
public sealed class BackupRestoreCommandsTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void BackupThenRestoreGivesTheSameRows()
    {
        string source = _run.CreateSampleDatabase(rows: 2_000);
        CliRun.Ok("put", source, "kv", "only-in-the-wal", "yes");
        string backup = _run.File("copy.backup");

        CliResult backedUp = CliRun.Ok("backup", source, backup);
        Assert.That(backedUp.Out, Does.StartWith("backed up " + source + " to " + backup));
        Assert.That(backedUp.Err, Is.Empty, "no progress bar when standard error is not a terminal");
        Assert.That(File.Exists(backup + "-wal"), Is.False, "a backup is one file");

        string restored = _run.File("restored.pagedb");
        Assert.That(CliRun.Ok("restore", backup, restored).Out, Does.Contain("0 problems"));
        Assert.That(CliRun.Ok("count", restored, "orders").Out.Trim(), Is.EqualTo("2000"));
        Assert.That(CliRun.Ok("get", restored, "kv", "only-in-the-wal").Out.Trim(), Is.EqualTo("yes"));
        Assert.That(CliRun.Ok("check", restored).Out, Does.Contain("0 problems"));
    }

    /// <summary>On a terminal, backup draws its progress bar (Spectre.Console) on standard error, then says what it did.</summary>
    [Test]
    public void OnATerminalBackupDrawsAProgressBar()
    {
        string source = _run.CreateSampleDatabase(rows: 2_000);
        string backup = _run.File("copy.backup");

        using TerminalSession terminal = TerminalSession.Start("backup", source, backup);

        Assert.That(terminal.WaitForExit(), Is.Zero, terminal.Screen);
        Assert.That(terminal.Screen, Does.Contain("backing up " + Path.GetFileName(source)).And.Contain("100%").And.Contain("backed up " + source + " to " + backup));
        Assert.That(CliRun.Ok("check", backup).Out, Does.Contain("0 problems"));
    }

    [Test]
    public void BackupOfADatabaseOpenForWritingElsewhereFailsAndSaysWhereToBackItUp()
    {
        string source = _run.CreateSampleDatabase();
        using var writer = PageDatabase.Open(source);
        string backup = _run.File("b.pagedb");

        string error = CliRun.Fails(ExitCodes.Failed, "backup", source, backup).Err;

        Assert.That(error, Does.Contain("open for writing in another process").And.Contain("PageDatabase.Backup"));
        Assert.That(File.Exists(backup), Is.False);
    }

    [Test]
    public void RestoreRefusesAnExistingDatabaseWithoutForce()
    {
        string backup = _run.File("b.pagedb");
        CliRun.Ok("backup", _run.CreateSampleDatabase(rows: 5), backup);
        string existing = _run.CreateSampleDatabase("existing.pagedb", rows: 7);

        string error = CliRun.Fails(ExitCodes.Failed, "restore", backup, existing).Err;

        Assert.That(error, Does.Contain("--force"));
        Assert.That(CliRun.Ok("count", existing, "orders").Out.Trim(), Is.EqualTo("7"));
    }

    [Test]
    public void RestoreRefusesALeftoverWalWithoutForceAndDeletesItWithForce()
    {
        string backup = _run.File("b.pagedb");
        CliRun.Ok("backup", _run.CreateSampleDatabase(rows: 5), backup);
        string target = _run.File("target.pagedb");
        File.WriteAllBytes(target + "-wal", new byte[100]);

        CliRun.Fails(ExitCodes.Failed, "restore", backup, target);
        Assert.That(File.Exists(target), Is.False);

        CliRun.Ok("restore", backup, target, "--force");
        Assert.That(File.Exists(target + "-wal"), Is.False);
        Assert.That(CliRun.Ok("count", target, "orders").Out.Trim(), Is.EqualTo("5"));
    }

    [Test]
    public void RestoreWithForceReplacesTheDatabaseAndItsWal()
    {
        string backup = _run.File("b.pagedb");
        CliRun.Ok("backup", _run.CreateSampleDatabase(rows: 5), backup);
        string existing = _run.CreateSampleDatabase("existing.pagedb", rows: 7);
        CliRun.Ok("put", existing, "kv", "wal-only", "x");

        CliRun.Ok("restore", backup, existing, "--force");

        Assert.That(CliRun.Ok("count", existing, "orders").Out.Trim(), Is.EqualTo("5"));
        Assert.That(CliRun.Run("get", existing, "kv", "wal-only").Out.Trim(), Is.Not.EqualTo("x"));
        Assert.That(Directory.GetFiles(_run.Directory, "*.restore"), Is.Empty);
    }

    [Test]
    public void RestoreRefusesADamagedBackupAndLeavesTheTargetAlone()
    {
        string backup = _run.File("b.pagedb");
        CliRun.Ok("backup", _run.CreateSampleDatabase(rows: 2_000), backup);
        using (FileStream file = File.Open(backup, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = (3 * 4096L) + 3000;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x5a));
        }
        string existing = _run.CreateSampleDatabase("existing.pagedb", rows: 7);

        CliResult result = CliRun.Run("restore", backup, existing, "--force");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failed), result.ToString());
        Assert.That(result.Err, Does.Contain("page 3").And.Contain("nothing was restored").And.Not.Contain(".restore"), result.ToString());
        Assert.That(CliRun.Ok("count", existing, "orders").Out.Trim(), Is.EqualTo("7"));
        Assert.That(Directory.GetFiles(_run.Directory, "*.restore"), Is.Empty);
    }

    [Test]
    public void RestoreRefusesAFileThatIsNotADatabase()
    {
        string notADatabase = _run.File("notes.txt");
        File.WriteAllText(notADatabase, new string('x', 10_000));

        string error = CliRun.Fails(ExitCodes.Failed, "restore", notADatabase, _run.File("new.pagedb")).Err;

        Assert.That(error, Does.Contain("not a PageDb database"));
        Assert.That(File.Exists(_run.File("new.pagedb")), Is.False);
    }

    [Test]
    public void RestoreOverADatabaseOpenForWritingFails()
    {
        string backup = _run.File("b.pagedb");
        CliRun.Ok("backup", _run.CreateSampleDatabase(rows: 5), backup);
        string existing = _run.CreateSampleDatabase("existing.pagedb", rows: 7);
        using var writer = PageDatabase.Open(existing);

        string error = CliRun.Fails(ExitCodes.Failed, "restore", backup, existing, "--force").Err;

        Assert.That(error, Does.Contain("open for writing"));
    }

    [Test]
    public void BackupOfAMissingDatabaseFails()
    {
        CliRun.Fails(ExitCodes.Failed, "backup", _run.File("missing.pagedb"), _run.File("b.pagedb"));
        CliRun.Fails(ExitCodes.Failed, "restore", _run.File("missing.backup"), _run.File("x.pagedb"));
    }
}
