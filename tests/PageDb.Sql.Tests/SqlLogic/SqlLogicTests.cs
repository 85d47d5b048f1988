namespace PageDb.Sql.Tests.SqlLogic;

/// <summary>
/// Runs the shared sqllogictest corpus (<c>../shared/sqllogictest</c> beside the repository, or the folder in
/// <c>PAGEDB_SQLLOGICTEST_DIR</c>), every record of every file (about 20 s for the 17 shared files on 2 cores, so
/// the default run takes them all). Each file's pass count and first failures are printed.
/// </summary>
[TestFixture]
public sealed class SqlLogicTests
{
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
        {
            // CI lays shared/ beside the clone, so a missing corpus there is a broken run, not a reason to skip.
            const string Missing = "The sqllogictest corpus was not found (../shared/sqllogictest beside the repository): set PAGEDB_SQLLOGICTEST_DIR.";
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail(Missing);
            Assert.Ignore(Missing);
        }
        using var runner = new SqlLogicRunner();
        SqlLogicResult result = runner.RunFile(Path.Combine(root!, file), file);
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
