namespace PageDb.Sql.Tests.Statistics;

/// <summary>
/// With statistics from ANALYZE the planner reads through the index estimated to read the fewest rows: a narrow range
/// on a nearly unique column beats an equality on a column of two values, which wins without statistics. The
/// statistics live in the file, so a reopened database plans the same way, and a prepared query compiles again after
/// ANALYZE.
/// </summary>
[TestFixture]
public sealed class StatisticsPlanningTests
{
    private const string Query = "SELECT id FROM e WHERE cat = 1 AND code BETWEEN 10 AND 20";
    private const string ByCategory = "SEARCH e USING INDEX e_cat (cat=?) (checking 2 conditions)";
    private const string ByCode = "SEARCH e USING INDEX e_code (? <= code <= ?) (checking 2 conditions)";

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("pagedb-stats-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static SqlSession Fill(PageDatabase database)
    {
        var session = new SqlSession(database);
        session.Execute("CREATE TABLE e(id INTEGER PRIMARY KEY, cat INTEGER, code INTEGER); CREATE INDEX e_cat ON e(cat); CREATE INDEX e_code ON e(code)");
        session.Execute("INSERT INTO e VALUES " + string.Join(", ", Enumerable.Range(0, 400).Select(i => $"({i}, {i % 2}, {i})")));
        return session;
    }

    private static string Plan(SqlSession session, string sql) =>
        string.Join(",", session.Execute("EXPLAIN " + sql).Rows.Select(r => r[0].ToText()));

    private static string Ids(SqlSession session, string sql) =>
        string.Join(",", session.Execute(sql).Rows.Select(r => r[0].ToText()));

    [Test]
    public void Statistics_turn_the_choice_to_the_more_selective_index_and_survive_reopening()
    {
        string path = PathOf("e.pagedb");
        using (PageDatabase database = PageDatabase.Open(path))
        using (SqlSession session = Fill(database))
        {
            Assert.That(Plan(session, Query), Is.EqualTo(ByCategory), "without statistics the equality wins");
            session.Execute("ANALYZE e");
            Assert.That(Plan(session, Query), Is.EqualTo(ByCode));
            Assert.That(Ids(session, Query), Is.EqualTo("11,13,15,17,19"));
        }
        using (PageDatabase reopened = PageDatabase.Open(path))
        using (var session = new SqlSession(reopened))
        {
            Assert.That(Plan(session, Query), Is.EqualTo(ByCode));
            Assert.That(Ids(session, Query), Is.EqualTo("11,13,15,17,19"));
        }
    }

    [Test]
    public void Statistics_keep_the_equality_when_it_is_the_more_selective()
    {
        using PageDatabase database = PageDatabase.OpenInMemory();
        using SqlSession session = Fill(database);
        session.Execute("ANALYZE");
        Assert.That(Plan(session, "SELECT id FROM e WHERE cat = 1 AND code > 5"),
            Is.EqualTo("SEARCH e USING INDEX e_cat (cat=?) (checking 2 conditions)"));
        Assert.That(Plan(session, "SELECT id FROM e WHERE code = 7 AND cat > 0"),
            Is.EqualTo("SEARCH e USING INDEX e_code (code=?) (checking 2 conditions)"));
    }

    [Test]
    public void A_prepared_query_compiles_again_after_analyze()
    {
        using PageDatabase database = PageDatabase.OpenInMemory();
        using SqlSession session = Fill(database);
        PreparedStatement query = SqlSession.Prepare(Query);
        session.Execute(query);
        session.Execute(query);
        Assert.That(query.Plans[0].Compilations, Is.EqualTo(1));
        session.Execute("ANALYZE e");
        Assert.That(Ids(session, Query), Is.EqualTo("11,13,15,17,19"));
        Assert.That(string.Join(",", session.Execute(query).Rows.Select(r => r[0].ToText())), Is.EqualTo("11,13,15,17,19"));
        Assert.That(query.Plans[0].Compilations, Is.EqualTo(2));
    }
}
