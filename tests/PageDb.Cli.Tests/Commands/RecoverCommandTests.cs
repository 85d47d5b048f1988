using System.Security.Cryptography;

namespace PageDb.Cli.Tests.Commands;

/// <summary>recover: salvages a damaged database file into a new one and never changes the damaged file.</summary>
public sealed class RecoverCommandTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    [Test]
    public void RecoverSalvagesTheReadableRowsReportsTheRestAndLeavesTheDamagedFileAsItWas()
    {
        string damaged = _run.CreateSampleDatabase(rows: 2_000);
        CliRun.Ok("checkpoint", damaged, "--mode", "Truncate");
        PageDb.Core.Pages.PageNumber victim = FirstLeafOfOrders(damaged);
        using (FileStream file = File.Open(damaged, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = victim.FileOffset(4096) + 2000;
            file.WriteByte(0x5a);
        }
        string before = Hash(damaged), walBefore = Hash(damaged + "-wal");
        string salvaged = _run.File("salvaged.pagedb");

        CliResult result = CliRun.Run("recover", damaged, salvaged);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Problems), result.ToString());
        Assert.That(result.Out, Does.Contain($"not read: 'orders': page {victim.Value}").And.Contain("1 unreadable"), result.ToString());
        Assert.That(result.Out, Does.Contain("recovered kv: 1 entries"), result.ToString());
        Assert.That((Hash(damaged), Hash(damaged + "-wal")), Is.EqualTo((before, walBefore)), "the damaged files are only read");
        using PageDatabase database = PageDatabase.Open(salvaged);
        using ReadTransaction tx = database.BeginRead();
        long rows = tx.GetTable("orders").Count;
        Assert.That(rows, Is.LessThan(2_000).And.GreaterThan(1_800), "one leaf's rows are lost, no more");
        Assert.That(tx.GetTable("orders").Get(Row.Of(2_000L)), Is.EqualTo(Row.Of(2_000L, "alice", null)));
        Assert.That(database.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void RecoverOfAnIntactDatabaseExits0AndRefusesToOverwrite()
    {
        string source = _run.CreateSampleDatabase();
        string salvaged = _run.File("salvaged.pagedb");
        Assert.That(CliRun.Ok("recover", source, salvaged).Out, Does.Contain("recovered orders: 20 entries").And.Contain("0 unreadable"));
        Assert.That(CliRun.Fails(ExitCodes.Failed, "recover", source, salvaged).Err, Does.Contain("exists already"));
    }

    [Test]
    public void RecoverWithForeignWalReadsAWalOfThisDatabaseAsUsual()
    {
        string source = _run.CreateSampleDatabase();
        string salvaged = _run.File("salvaged.pagedb");
        Assert.That(CliRun.Ok("recover", "--foreign-wal", source, salvaged).Out, Does.Contain("recovered orders: 20 entries").And.Contain("0 unreadable"));
    }

    /// <summary>A leaf of the orders table that is not its root: the first leaf whose records hold "alice" (hex).</summary>
    private static PageDb.Core.Pages.PageNumber FirstLeafOfOrders(string path)
    {
        for (uint page = 1; ; page++)
        {
            string text = CliRun.Ok("page", path, page.ToString(System.Globalization.CultureInfo.InvariantCulture)).Out;
            if (text.Contains("BtreeLeaf", StringComparison.Ordinal) && !text.Contains("this page is a root", StringComparison.Ordinal)
                && text.Contains("616c696365", StringComparison.Ordinal))
                return new PageDb.Core.Pages.PageNumber(page);
        }
    }

    private static string Hash(string path) => File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) : "(none)";
}
