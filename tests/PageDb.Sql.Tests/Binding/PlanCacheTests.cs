using PageDb.Data;

namespace PageDb.Sql.Tests.Binding;

/// <summary>
/// A prepared query is parsed and compiled once and its plan reused with new parameter values, in later transactions,
/// until a table it names changes its columns or indexes (then it compiles again and sees the change).
/// </summary>
[TestFixture]
public sealed class PlanCacheTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score INTEGER)");
        Session.Execute("INSERT INTO t VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)");
    }

    private static SqlParameters With(object id)
    {
        var parameters = new SqlParameters();
        parameters.Set("@id", id);
        return parameters;
    }

    [Test]
    public void A_prepared_query_is_compiled_once_and_runs_with_new_values()
    {
        PreparedStatement query = SqlSession.Prepare("SELECT name FROM t WHERE id = @id");
        Assert.That(Session.Execute(query, With(1)).Rows[0][0].ToText(), Is.EqualTo("a"));
        Assert.That(Session.Execute(query, With(3)).Rows[0][0].ToText(), Is.EqualTo("c"));
        Session.Execute("INSERT INTO t VALUES (4, 'd', 40)");
        Assert.That(Session.Execute(query, With(4)).Rows[0][0].ToText(), Is.EqualTo("d"), "a later transaction sees new rows");
        Assert.That(Session.Execute(query, With(9)).Rows, Is.Empty);
        Assert.That(query.Plans[0].Compilations, Is.EqualTo(1));
    }

    [Test]
    public void A_schema_change_compiles_the_query_again()
    {
        PreparedStatement query = SqlSession.Prepare("EXPLAIN SELECT id FROM t WHERE score = @id");
        PreparedStatement rows = SqlSession.Prepare("SELECT id FROM t WHERE score = @id");
        Assert.That(Session.Execute(rows, With(20)).Rows[0][0].ToInteger(), Is.EqualTo(2));
        Session.Execute("CREATE INDEX t_score ON t(score)");
        Assert.That(Session.Execute(rows, With(30)).Rows[0][0].ToInteger(), Is.EqualTo(3));
        Assert.That(rows.Plans[0].Compilations, Is.EqualTo(2), "the new index changes the plan");
        Assert.That(Session.Execute(query, With(30)).Rows[0][0].ToText(), Does.Contain("USING INDEX t_score"));

        Session.Execute("DROP TABLE t");
        Assert.That(() => Session.Execute(rows, With(30)), Throws.TypeOf<SqlException>().With.Message.Contains("No such table: t"));
        Session.Execute("CREATE TABLE t(score INTEGER, id TEXT)");
        Session.Execute("INSERT INTO t VALUES (30, 'thirty')");
        Assert.That(Session.Execute(rows, With(30)).Rows[0][0].ToText(), Is.EqualTo("thirty"), "the new table's columns");
        Assert.That(rows.Plans[0].Compilations, Is.EqualTo(3));
    }

    [Test]
    public void A_plan_reused_inside_an_explicit_transaction_sees_its_changes()
    {
        PreparedStatement count = SqlSession.Prepare("SELECT count(*) FROM t WHERE id >= @id");
        Assert.That(Session.Execute(count, With(2)).Rows[0][0].ToInteger(), Is.EqualTo(2));
        Session.Execute("BEGIN");
        Session.Execute("INSERT INTO t VALUES (5, 'e', 50)");
        Assert.That(Session.Execute(count, With(2)).Rows[0][0].ToInteger(), Is.EqualTo(3));
        Session.Execute("ROLLBACK");
        Assert.That(Session.Execute(count, With(2)).Rows[0][0].ToInteger(), Is.EqualTo(2));
        Assert.That(count.Plans[0].Compilations, Is.EqualTo(1));
    }

    /// <summary>
    /// A plan run again in the transaction it was compiled in reads the table as it is now: dropped and created again
    /// with the same columns (so the plan still fits), it is a new table, which the plan's table object is not.
    /// </summary>
    [Test]
    public void A_plan_run_again_in_its_own_transaction_reads_a_table_dropped_and_created_again()
    {
        PreparedStatement names = SqlSession.Prepare("SELECT name FROM t WHERE score >= @id ORDER BY id");
        Session.Execute("BEGIN");
        Assert.That(Session.Execute(names, With(20)).Rows.Select(r => r[0].ToText()), Is.EqualTo(new[] { "b", "c" }));
        Session.Execute("DROP TABLE t");
        Session.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score INTEGER)");
        Session.Execute("INSERT INTO t VALUES (7, 'g', 70)");
        Assert.That(Session.Execute(names, With(20)).Rows.Select(r => r[0].ToText()), Is.EqualTo(new[] { "g" }));
        Session.Execute("COMMIT");
        Assert.That(Session.Execute(names, With(20)).Rows.Select(r => r[0].ToText()), Is.EqualTo(new[] { "g" }));
        Assert.That(names.Plans[0].Compilations, Is.EqualTo(1), "the new table has the same columns: the plan still fits");
    }

    [Test]
    public void The_same_text_run_again_reuses_its_prepared_statement()
    {
        const string Sql = "SELECT score FROM t WHERE id = @id";
        Session.Execute(Sql, With(1));
        PreparedStatement cached = Session.PrepareCached(Sql);
        Assert.That(Session.Execute(Sql, With(2)).Rows[0][0].ToInteger(), Is.EqualTo(20));
        Assert.That(Session.PrepareCached(Sql), Is.SameAs(cached));
        Assert.That(cached.Plans[0].Compilations, Is.EqualTo(1));
    }

    [Test]
    public void New_commands_with_the_same_text_share_one_plan()
    {
        using var connection = new PageDbConnection($"Data Source=plans-{Guid.NewGuid():N};Mode=Memory");
        connection.Open();
        using (PageDbCommand create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE p(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO p VALUES (1, 'x'), (2, 'y')";
            create.ExecuteNonQuery();
        }
        const string Sql = "SELECT v FROM p WHERE id = @id";
        foreach ((long id, string expected) in new[] { (1L, "x"), (2L, "y"), (1L, "x") })
        {
            using PageDbCommand command = connection.CreateCommand();
            command.CommandText = Sql;
            command.Parameters.Add(new PageDbParameter { ParameterName = "@id", Value = id });
            command.Prepare();
            Assert.That(command.ExecuteScalar(), Is.EqualTo(expected));
        }
        Assert.That(connection.Session.PrepareCached(Sql).Plans[0].Compilations, Is.EqualTo(1));
    }

    /// <summary>
    /// A cached plan holds back no snapshot of the transaction it was compiled in: it keeps only the committed state
    /// it saw (which tells a run in a snapshot of the same commit to skip checking the stamps), and the transaction
    /// left the reader registry when it ended, so the plan holds back no checkpoint or log restart.
    /// </summary>
    [Test]
    public void A_cached_plan_holds_back_no_snapshot_of_the_transaction_it_was_compiled_in()
    {
        PreparedStatement query = SqlSession.Prepare("SELECT name FROM t WHERE id = @id");
        Assert.That(Session.Execute(query, With(1)).Rows[0][0].ToText(), Is.EqualTo("a"));
        for (int id = 4; id < 40; id++)
            Session.Execute($"INSERT INTO t VALUES ({id}, 'n', {id})");

        DatabaseStats stats = Database.GetStats();
        Assert.That(stats.OldestReaderPinnedWalBytes, Is.Zero, "a reader of an older snapshot is still registered");
        Database.Checkpoint(CheckpointMode.Truncate); // waits for readers of older snapshots (TimeoutException after WriteLockTimeout)
        Assert.That(Database.GetStats().WalFrames, Is.Zero);
        Assert.That(Session.Execute(query, With(39)).Rows[0][0].ToText(), Is.EqualTo("n"));
        Assert.That(query.Plans[0].Compilations, Is.EqualTo(1));
    }

    /// <summary>
    /// A cached plan keeps nothing of the transactions it ran in reachable, in a snapshot or in an explicit
    /// transaction: no transaction, and no table object (which refers to its transaction). It used to keep the
    /// transaction it was compiled in, with its tables and what they opened, alive for as long as the statement.
    /// </summary>
    [TestCase("SELECT name FROM t WHERE id = @id")]
    [TestCase("SELECT t.name, u.name FROM t JOIN t AS u ON u.score = t.score WHERE t.id >= @id ORDER BY t.id")]
    [TestCase("SELECT count(*), max(score) FROM t WHERE id IN (SELECT id FROM t WHERE score > @id) GROUP BY name")]
    [TestCase("SELECT name FROM t WHERE score > @id ORDER BY score DESC LIMIT 2")]
    [TestCase("SELECT upper(name), CASE WHEN score > @id THEN 'hi' ELSE 'lo' END FROM t WHERE name LIKE '%' AND score BETWEEN 0 AND 100 AND id IN (1, 2, @id)")]
    [TestCase("SELECT a.id, b.name FROM t AS a LEFT JOIN t AS b ON b.id = a.id + @id WHERE EXISTS (SELECT 1 FROM t AS c WHERE c.id = a.id) AND a.score IS NOT NULL")]
    [TestCase("SELECT (SELECT max(score) FROM t AS m WHERE m.id <= t.id), -id, CAST(score AS TEXT) FROM t WHERE NOT id = @id")]
    [TestCase("SELECT id FROM t WHERE id < @id UNION SELECT score FROM t ORDER BY 1")]
    [TestCase("SELECT name, count(*) FROM (SELECT name FROM t WHERE id > @id) AS s GROUP BY name HAVING count(*) > 0")]
    [TestCase("INSERT INTO t VALUES (@id + 100, 'x', 1)")]
    [TestCase("UPDATE t SET score = score + 1 WHERE id = @id")]
    public void A_cached_plan_keeps_no_transaction_reachable(string sql)
    {
        PreparedStatement statement = SqlSession.Prepare(sql);
        Session.Execute(statement, With(1));
        Session.Execute("BEGIN");
        Session.Execute(statement, With(2));
        Session.Execute("COMMIT");
        Session.Execute(statement, With(3));

        Assert.That(ObjectGraph.PathTo(statement, item => item is ReadTransaction or Table), Is.Null);
    }
}
