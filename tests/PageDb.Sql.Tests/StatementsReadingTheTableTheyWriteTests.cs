namespace PageDb.Sql.Tests;

/// <summary>
/// A statement that writes the table it reads (INSERT ... SELECT from it, UPDATE of its key, UPDATE or DELETE with a
/// subquery on it) sees the table as it was before the statement: the rows it writes are never read again, whether
/// the read is a full scan or a key range (both stream their rows) and whether it runs in its own transaction or
/// inside BEGIN ... COMMIT.
/// </summary>
[TestFixture]
public sealed class StatementsReadingTheTableTheyWriteTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER); CREATE TABLE r(a INTEGER, b TEXT)");
        for (int i = 1; i <= 300; i++)
            Session.Execute($"INSERT INTO t VALUES ({i}, {i % 7}); INSERT INTO r VALUES ({i}, 'x{i}')");
    }

    private long Scalar(string sql) => Session.Execute(sql).Rows[0][0].Integer;

    [TestCase(false, "INSERT INTO t SELECT id + 300, v FROM t", 300, 600)]
    [TestCase(true, "INSERT INTO t SELECT id + 300, v FROM t", 300, 600)]
    [TestCase(false, "INSERT INTO t SELECT id + 1000, v FROM t WHERE id > 100", 200, 500)]
    [TestCase(true, "INSERT INTO t SELECT id + 1000, v FROM t WHERE id >= 101 AND id <= 10000", 200, 500)]
    [TestCase(true, "INSERT INTO t SELECT id * 2 + 1000, v FROM t WHERE id IN (1, 2, 3) OR id > 299", 4, 304)]
    public void Insert_select_from_the_same_table_copies_each_row_once(bool inTransaction, string sql, int inserted, int total)
    {
        if (inTransaction)
            Session.Execute("BEGIN");
        Assert.That(Session.Execute(sql).RowsAffected, Is.EqualTo(inserted));
        if (inTransaction)
            Session.Execute("COMMIT");
        Assert.That(Scalar("SELECT count(*) FROM t"), Is.EqualTo(total));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Insert_select_into_a_table_without_a_key_from_itself_doubles_it(bool inTransaction)
    {
        if (inTransaction)
            Session.Execute("BEGIN");
        Assert.That(Session.Execute("INSERT INTO r SELECT a + 300, b FROM r").RowsAffected, Is.EqualTo(300));
        if (inTransaction)
            Session.Execute("COMMIT");
        Assert.That(Scalar("SELECT count(*) FROM r"), Is.EqualTo(600));
        Assert.That(Scalar("SELECT count(DISTINCT a) FROM r"), Is.EqualTo(600));
    }

    [Test]
    public void Moving_every_key_up_moves_each_row_once()
    {
        Session.Execute("BEGIN");
        Assert.That(Session.Execute("UPDATE t SET id = id + 1000 WHERE id >= 1").RowsAffected, Is.EqualTo(300), "each row once, though its new key lies ahead");
        Session.Execute("COMMIT");
        Assert.That(Scalar("SELECT min(id) FROM t"), Is.EqualTo(1001));
        Assert.That(Scalar("SELECT max(id) FROM t"), Is.EqualTo(1300));
    }

    [Test]
    public void Update_and_delete_with_a_subquery_on_the_same_table_see_it_as_before_the_statement()
    {
        Session.Execute("BEGIN");
        Assert.That(Session.Execute("UPDATE t SET v = (SELECT count(*) FROM t WHERE v = 0) WHERE id > 290").RowsAffected, Is.EqualTo(10));
        Assert.That(Scalar("SELECT count(*) FROM t WHERE v = 42"), Is.EqualTo(10), "300 / 7 rows had v = 0 before the statement");
        Assert.That(Session.Execute("DELETE FROM t WHERE id > (SELECT max(id) FROM t) - 50").RowsAffected, Is.EqualTo(50));
        Session.Execute("COMMIT");
        Assert.That(Scalar("SELECT count(*) FROM t"), Is.EqualTo(250));
    }
}
