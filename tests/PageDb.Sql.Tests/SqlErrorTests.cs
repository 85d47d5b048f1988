namespace PageDb.Sql.Tests;

/// <summary>Bad SQL and misuse: each a clear SqlException (or ConstraintViolationException) and nothing applied.</summary>
[TestFixture]
public sealed class SqlErrorTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL)");
        Session.Execute("INSERT INTO t VALUES (1, 'a', 1.5)");
    }

    private long Count() => Session.Execute("SELECT count(*) FROM t").Rows[0][0].ToInteger();

    [Test]
    public void A_syntax_error_names_its_line_and_column()
    {
        var error = Assert.Throws<SqlException>(() => Session.Execute("SELECT id\nFROM t\nWHERE name = = 'a'"))!;
        Assert.That((error.Line, error.Column), Is.EqualTo((3, 14)));
        Assert.That(error.Message, Does.Contain("line 3, column 14"));
    }

    [TestCase("SELECT * FROM nowhere", "No such table: nowhere")]
    [TestCase("SELECT missing FROM t", "No such column: missing")]
    [TestCase("SELECT nosuch(id) FROM t", "No such function: nosuch")]
    [TestCase("SELECT id FROM t WHERE count(*) > 1", "Misuse of aggregate function count()")]
    [TestCase("SELECT id FROM t ORDER BY 3", "ORDER BY term out of range")]
    [TestCase("SELECT 'unterminated", "Unterminated string")]
    public void An_unknown_name_or_misuse_is_a_SqlException(string sql, string message)
    {
        Assert.That(() => Session.Execute(sql), Throws.TypeOf<SqlException>().With.Message.Contains(message));
    }

    [Test]
    public void A_type_error_applies_none_of_the_statement()
    {
        Assert.That(() => Session.Execute("INSERT INTO t VALUES (2, 'b', 2.0), (3, 'c', 'not a number')"),
            Throws.TypeOf<SqlException>().With.Message.Contains("Cannot store the text 'not a number'"));
        Assert.That(Count(), Is.EqualTo(1));
    }

    [Test]
    public void A_constraint_violation_applies_none_of_the_statement()
    {
        Assert.That(() => Session.Execute("INSERT INTO t VALUES (2, 'b', 2.0), (1, 'again', 0)"), Throws.TypeOf<ConstraintViolationException>());
        Assert.That(() => Session.Execute("INSERT INTO t VALUES (5, NULL, 0)"), Throws.TypeOf<ConstraintViolationException>().With.Message.Contains("NOT NULL"));
        Assert.That(Count(), Is.EqualTo(1));
    }

    [Test]
    public void Rollback_discards_a_transaction_and_commit_keeps_it()
    {
        Session.Execute("BEGIN; INSERT INTO t VALUES (2, 'b', 2.0); ROLLBACK");
        Assert.That(Count(), Is.EqualTo(1));
        Session.Execute("BEGIN; INSERT INTO t VALUES (2, 'b', 2.0); COMMIT");
        Assert.That(Count(), Is.EqualTo(2));
    }
}
