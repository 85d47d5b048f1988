using PageDb.Sql.Values;

namespace PageDb.Sql.Tests.Bugs;

/// <summary>
/// The differential test (PAGEDB_SEED=1726804948, query 26) found a UNION whose right side gave both 0.0 and 0 for the
/// same other column: SQLite answered 0.0, PageDb 0. Equal rows need not be identical, and which copy a compound keeps is
/// part of the answer. PageDb kept the last copy of equal rows, as SQLite's temporary index did before 3.45; SQLite now
/// sorts both inputs stably and merges them: on a tie the right input's row wins, within one input the first in sort
/// order. The expected values below are SQLite 3.53's (Microsoft.Data.Sqlite 10.0.14), with their types.
/// </summary>
[TestFixture]
public sealed class UnionKeepsSqlitesCopyOfEqualRowsTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        // x: 0.0, 0, 1, 1.0, 2, 2.0, 2 (a real where isReal is 1).
        Session.Execute("CREATE TABLE v(i INTEGER PRIMARY KEY, n INTEGER, isReal INTEGER)");
        Session.Execute("INSERT INTO v VALUES (1, 0, 1), (2, 0, 0), (3, 1, 0), (4, 1, 1), (5, 2, 0), (6, 2, 1), (7, 2, 0)");
    }

    private const string X = "CASE WHEN isReal = 1 THEN n * 1.0 ELSE n END";

    [TestCase("SELECT 0 UNION SELECT 0.0", "r0")]
    [TestCase("SELECT 0.0 UNION SELECT 0", "0")]
    [TestCase("SELECT 0 UNION SELECT 0.0 UNION SELECT 0", "0")]
    [TestCase("SELECT 1 UNION ALL SELECT 0.0 UNION SELECT 0", "0,1")]
    [TestCase("SELECT " + X + " FROM v UNION SELECT 7", "r0,1,2,7")]
    [TestCase("SELECT " + X + " FROM v WHERE i > 1 UNION SELECT 7", "0,1,2,7")]
    [TestCase("SELECT 7 UNION SELECT " + X + " FROM v", "r0,1,2,7")]
    [TestCase("SELECT " + X + " FROM v EXCEPT SELECT 7", "r0,1,2")]
    [TestCase("SELECT " + X + " FROM v INTERSECT SELECT " + X + " FROM v WHERE i > 1", "r0,1,2")]
    [TestCase("SELECT " + X + " FROM v WHERE i > 1 INTERSECT SELECT " + X + " FROM v", "0,1,2")]
    [TestCase("SELECT " + X + " FROM v UNION ALL SELECT 1.0 UNION SELECT 2.0", "r0,1,r2")]
    [TestCase("SELECT " + X + " FROM v UNION ALL SELECT 1.0 ORDER BY 1", "r0,0,1,r1,r1,2,r2,2")]
    [TestCase("SELECT 1 UNION SELECT 1.0 UNION SELECT 3 UNION SELECT 1.0 UNION SELECT 2.0 UNION SELECT 2 UNION SELECT 1", "1,2,3")]
    public void A_compound_keeps_the_copy_SQLite_keeps(string sql, string expected)
    {
        IEnumerable<string> values = Session.Execute(sql).Rows.Select(r => r[0].Kind == SqlValueKind.Real ? "r" + r[0].ToInteger() : r[0].ToString());
        Assert.That(string.Join(",", values), Is.EqualTo(expected));
    }

    [Test]
    public void A_compound_with_ORDER_BY_breaks_ties_by_the_other_columns()
    {
        var rows = Session.Execute("SELECT n, i FROM v WHERE i > 4 UNION SELECT n, i FROM v WHERE i < 3 ORDER BY 1 DESC LIMIT 3").Rows;
        Assert.That(rows.Select(r => $"{r[0]}/{r[1]}"), Is.EqualTo(new[] { "2/5", "2/6", "2/7" }));
    }
}
