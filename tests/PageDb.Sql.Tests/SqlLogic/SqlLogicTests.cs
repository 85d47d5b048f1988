namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>
/// Runs the shared sqllogictest corpus (<c>../shared/sqllogictest</c> beside the repository, or the folder in
/// <c>PAGEDB_SQLLOGICTEST_DIR</c>). The default run takes the first <see cref="SampleRecords"/> records of each file;
/// <c>PAGEDB_SQLLOGICTEST_FULL=1</c> runs every record. Per-file pass counts are printed.
/// </summary>
[TestFixture]
public sealed class SqlLogicTests
{
    /// <summary>Records per file in the default run.</summary>
    public const int SampleRecords = 400;

    public static IEnumerable<string> Files()
    {
        string? root = CorpusRoot();
        if (root is null)
            return ["(corpus not found)"];
        return Directory.EnumerateFiles(root, "*.test", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
    }

    [TestCaseSource(nameof(Files))]
    public void File(string file)
    {
        string? root = CorpusRoot();
        if (root is null)
            Assert.Ignore("The sqllogictest corpus was not found: set PAGEDB_SQLLOGICTEST_DIR.");
        bool full = Environment.GetEnvironmentVariable("PAGEDB_SQLLOGICTEST_FULL") == "1";
        using var runner = new SqlLogicRunner(db => new SessionConnection(db));
        SqlLogicResult result = runner.RunFile(Path.Combine(root!, file), file, full ? int.MaxValue : SampleRecords);
        TestContext.Out.WriteLine(result.ToString());
        foreach (string failure in result.Failures)
            TestContext.Out.WriteLine(failure);
        Assert.That(result.Passed, Is.EqualTo(result.Run), result.ToString());
    }

    /// <summary>The corpus folder: the environment override, else ../shared/sqllogictest beside the repository.</summary>
    public static string? CorpusRoot()
    {
        string? overridden = Environment.GetEnvironmentVariable("PAGEDB_SQLLOGICTEST_DIR");
        if (!string.IsNullOrEmpty(overridden))
            return Directory.Exists(overridden) ? overridden : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "PageDb.sln")))
            {
                string corpus = Path.Combine(dir.FullName, "..", "shared", "sqllogictest");
                return Directory.Exists(corpus) ? Path.GetFullPath(corpus) : null;
            }
        }
        return null;
    }
}
