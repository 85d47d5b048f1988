namespace PageDb.Sql.Tests;

/// <summary>
/// WHERE key = value and key IN (...) read the table by its primary key: the rows must be exactly those a scan would
/// give, whatever the value's type (the comparison's conversions) and with NULLs and duplicates in the list.
/// </summary>
[TestFixture]
public sealed class KeyLookupTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE i(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE t(name TEXT PRIMARY KEY, n INTEGER); CREATE TABLE r(x REAL PRIMARY KEY)");
        Session.Execute("INSERT INTO i VALUES (1, 'a'), (3, 'c'), (5, 'e'); INSERT INTO t VALUES ('5', 5), ('x', 0); INSERT INTO r VALUES (2.0), (2.5)");
    }

    private string Query(string sql) =>
        string.Join(",", Session.Execute(sql).Rows.Select(r => string.Join("|", r.Select(v => v.ToString()))));

    [TestCase("SELECT id FROM i WHERE id = 3", "3")]
    [TestCase("SELECT id FROM i WHERE 3 = id", "3")]
    [TestCase("SELECT id FROM i WHERE id = '5'", "5")]
    [TestCase("SELECT id FROM i WHERE id = 5.0", "5")]
    [TestCase("SELECT id FROM i WHERE id = 5.5", "")]
    [TestCase("SELECT id FROM i WHERE id = 'x'", "")]
    [TestCase("SELECT id FROM i WHERE id = NULL", "")]
    [TestCase("SELECT id FROM i WHERE id IN (5, NULL, 1, 5, 4)", "1,5")]
    [TestCase("SELECT id FROM i WHERE id IN ('3', 'x')", "3")]
    [TestCase("SELECT name FROM t WHERE name = 5", "5")]
    [TestCase("SELECT x FROM r WHERE x = 2", "2.0")]
    [TestCase("SELECT i.v, t.n FROM i, t WHERE i.id = 5 AND t.name = i.v || ''", "")]
    [TestCase("SELECT i.v FROM i WHERE i.id = (SELECT max(n) FROM t)", "e")]
    [TestCase("SELECT (SELECT v FROM i WHERE id = t.n) FROM t ORDER BY name", "e,NULL")]
    public void A_key_lookup_finds_what_a_scan_finds(string sql, string expected) => Assert.That(Query(sql), Is.EqualTo(expected));

    [Test]
    public void Explain_shows_the_lookup_and_the_scan()
    {
        Assert.That(Query("EXPLAIN SELECT v FROM i WHERE id IN (1, 3) ORDER BY v"), Is.EqualTo("LOOKUP BY PRIMARY KEY i (checking 1 condition),SORT BY 1 key"));
        Assert.That(Query("EXPLAIN SELECT count(*) FROM i AS a, t WHERE a.v = t.name GROUP BY t.n"),
            Is.EqualTo("SCAN i AS a,JOIN SCAN t (checking 1 condition),GROUP BY 1 key, 1 aggregates"));
    }
}
