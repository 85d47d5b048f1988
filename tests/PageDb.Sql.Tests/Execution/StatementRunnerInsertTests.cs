using System.Runtime.CompilerServices;
using PageDb.Execution;
using PageDb.Sql.Execution;

namespace PageDb.Sql.Tests.Execution;

/// <summary>
/// INSERT (and UPDATE) through <c>StatementRunner</c>: a statement that fails part-way changes nothing, inside a
/// transaction too (the rows it wrote are taken back, the rows an OR REPLACE or UPDATE replaced restored), and a prepared insert whose compiled values
/// and table are kept between runs follows transactions and schema changes.
/// </summary>
[TestFixture]
public sealed class StatementRunnerInsertTests : SessionFixture
{
    [SetUp]
    public void SetUp()
    {
        Session.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL)");
        Session.Execute("CREATE UNIQUE INDEX t_name ON t(name)");
        Session.Execute("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', 2.5)");
    }

    private string Contents(string table = "t") =>
        string.Join(";", Session.Execute($"SELECT * FROM {table} ORDER BY 1").Rows.Select(r => string.Join(",", r)));

    [TestCase("INSERT INTO t VALUES (3, 'c', 0), (1, 'again', 0)", typeof(ConstraintViolationException))]
    [TestCase("INSERT INTO t VALUES (3, 'c', 0), (4, 'a', 0)", typeof(ConstraintViolationException))]
    [TestCase("INSERT INTO t VALUES (3, 'c', 0), (4, NULL, 0)", typeof(ConstraintViolationException))]
    [TestCase("INSERT INTO t VALUES (3, 'c', 0), (4, 'd', 'not a number')", typeof(SqlException))]
    [TestCase("INSERT INTO t VALUES (3, 'c', 0), (4, 'd')", typeof(SqlException))]
    [TestCase("INSERT INTO t VALUES (3, 'c', 0), (4, 'd', 0), (3, 'e', 0)", typeof(ConstraintViolationException))]
    [TestCase("INSERT INTO t SELECT id + 2, name || 'x', score FROM t UNION ALL SELECT 1, 'z', 0", typeof(ConstraintViolationException))]
    public void A_statement_failing_part_way_in_a_transaction_changes_nothing(string sql, Type error)
    {
        string before = Contents();
        Session.Execute("BEGIN");

        Assert.That(() => Session.Execute(sql), Throws.TypeOf(error));
        Assert.That(Contents(), Is.EqualTo(before), "inside the transaction");
        Session.Execute("INSERT INTO t VALUES (3, 'c', 3.5)");
        Session.Execute("COMMIT");

        Assert.That(Contents(), Is.EqualTo(before + ";3,c,3.5"));
    }

    [TestCase("UPDATE t SET name = CASE id WHEN 1 THEN 'z' ELSE 'c' END")]
    [TestCase("UPDATE t SET id = CASE id WHEN 1 THEN 10 ELSE 3 END, score = 0")]
    [TestCase("UPDATE t SET name = CASE id WHEN 3 THEN NULL ELSE name || '!' END")]
    public void An_update_failing_part_way_in_a_transaction_changes_nothing(string sql)
    {
        Session.Execute("INSERT INTO t VALUES (3, 'c', 3.5)");
        string before = Contents();
        Session.Execute("BEGIN");

        Assert.That(() => Session.Execute(sql), Throws.TypeOf<ConstraintViolationException>());

        Assert.That(Contents(), Is.EqualTo(before), "inside the transaction");
        Assert.That(Session.Execute("SELECT id FROM t WHERE name = 'a'").Rows.Single()[0].ToInteger(), Is.EqualTo(1), "the index entry is back");
        Session.Execute("COMMIT");
        Assert.That(Contents(), Is.EqualTo(before));
    }

    [Test]
    public void A_failed_insert_or_replace_restores_the_rows_it_replaced()
    {
        string before = Contents();
        Session.Execute("BEGIN");

        Assert.That(() => Session.Execute("INSERT OR REPLACE INTO t VALUES (1, 'x', 9), (5, 'y', 9), (2, NULL, 9)"),
            Throws.TypeOf<ConstraintViolationException>());

        Assert.That(Contents(), Is.EqualTo(before));
        Assert.That(Session.Execute("SELECT id FROM t WHERE name = 'a'").Rows.Single()[0].ToInteger(), Is.EqualTo(1), "the index entry is back");
        Session.Execute("COMMIT");
        Assert.That(Contents(), Is.EqualTo(before));
    }

    [Test]
    public void A_failed_multi_row_insert_into_a_table_keyed_by_row_id_gives_the_next_row_the_ids_back()
    {
        Session.Execute("CREATE TABLE log(message TEXT NOT NULL)");
        Session.Execute("BEGIN");

        Assert.That(() => Session.Execute("INSERT INTO log VALUES ('one'), ('two'), (NULL)"), Throws.TypeOf<ConstraintViolationException>());
        Session.Execute("INSERT INTO log VALUES ('three')");
        Session.Execute("COMMIT");

        using ReadTransaction read = Database.BeginRead();
        using TableScan scan = read.GetTable("log").Scan([TableSchema.RowIdColumn, "message"]);
        Assert.That(scan.Select(r => $"{r[0]}:{r[1]}"), Is.EqualTo(new[] { "1:three" }));
    }

    [Test]
    public void A_prepared_insert_runs_across_transactions_and_statements_that_write_the_same_table()
    {
        PreparedStatement insert = SqlSession.Prepare("INSERT INTO t (name, id) VALUES (@name, @id)");
        Session.Execute("BEGIN");
        for (int id = 3; id <= 6; id++)
        {
            Session.Execute(insert, Parameters(id, "n" + id));
            if (id == 4)
                Session.Execute("DELETE FROM t WHERE id = 3");
        }
        Session.Execute("COMMIT");
        Session.Execute(insert, Parameters(7, "n7"));
        Session.Execute("BEGIN; INSERT INTO t VALUES (8, 'n8', NULL)");
        Session.Execute(insert, Parameters(9, "n9"));
        Session.Execute("ROLLBACK");

        Assert.That(Session.Execute("SELECT group_concat(id) FROM t").Rows[0][0].ToString(), Is.EqualTo("1,2,4,5,6,7"));
    }

    [Test]
    public void A_prepared_insert_follows_a_table_dropped_and_made_again_with_other_columns()
    {
        PreparedStatement insert = SqlSession.Prepare("INSERT INTO u (b) VALUES (@b)");
        Session.Execute("CREATE TABLE u(a INTEGER PRIMARY KEY, b TEXT)");
        Session.Execute("BEGIN");
        Session.Execute(insert, Parameters(0, "first"));
        Session.Execute("DROP TABLE u; CREATE TABLE u(b INTEGER, c TEXT)");
        Session.Execute(insert, Parameters(0, "42"));
        Session.Execute("COMMIT");
        Session.Execute("DROP TABLE u");

        Assert.That(() => Session.Execute(insert, Parameters(0, "x")), Throws.TypeOf<SqlException>().With.Message.Contains("No such table: u"));
        Session.Execute("CREATE TABLE u(b REAL)");
        Session.Execute(insert, Parameters(0, "2.5"));
        Assert.That(Contents("u"), Is.EqualTo("2.5"));
    }

    [Test]
    public void One_prepared_insert_shared_by_two_sessions_writes_through_each_sessions_transaction()
    {
        PreparedStatement insert = SqlSession.Prepare("INSERT INTO t VALUES (@id, @name, NULL)");
        using var other = new SqlSession(Database);
        Session.Execute("BEGIN");
        Session.Execute(insert, Parameters(10, "s10"));
        Session.Execute(insert, Parameters(11, "s11"));
        Session.Execute("COMMIT");
        other.Execute(insert, Parameters(12, "o12"));
        Session.Execute(insert, Parameters(13, "s13"));

        Assert.That(other.Execute("SELECT group_concat(id) FROM t").Rows[0][0].ToString(), Is.EqualTo("1,2,10,11,12,13"));
    }

    [Test]
    public void A_value_that_reads_a_table_sees_the_table_of_each_run()
    {
        PreparedStatement insert = SqlSession.Prepare("INSERT INTO t VALUES ((SELECT max(id) + 1 FROM t), @name, NULL)");
        Session.Execute(insert, Parameters(0, "c"));
        Session.Execute("BEGIN");
        Session.Execute(insert, Parameters(0, "d"));
        Session.Execute(insert, Parameters(0, "e"));
        Session.Execute("COMMIT");

        Assert.That(Session.Execute("SELECT group_concat(name) FROM t").Rows[0][0].ToString(), Is.EqualTo("a,b,c,d,e"));
    }

    [TestCase("INSERT INTO t (name, id) VALUES (@name, @id)")]
    [TestCase("INSERT INTO t VALUES (@id, CASE WHEN @id IN (3, 4) THEN upper(@name) ELSE @name END, NULL)")]
    [TestCase("INSERT INTO t VALUES ((SELECT 1) * @id, @name, NULL)")]
    [TestCase("INSERT INTO t VALUES (@id, @name, (SELECT 2.5 WHERE EXISTS (SELECT 1 WHERE @id > 0)))")]
    [TestCase("INSERT INTO t VALUES ((SELECT @id), @name, NULL)")]
    [TestCase("INSERT INTO t VALUES ((SELECT @id UNION SELECT @id), @name, NULL)")]
    [TestCase("INSERT INTO t VALUES ((SELECT @id ORDER BY 1 LIMIT 1 OFFSET 0), @name, NULL)")]
    [TestCase("INSERT INTO t VALUES (@id, @name, CASE WHEN @id IN (SELECT 3 UNION ALL SELECT 4) THEN 1 END)")]
    [TestCase("INSERT INTO t VALUES ((SELECT max(@id)), @name, (SELECT count(*) WHERE @id > 1 GROUP BY @id HAVING count(*) > 0))")]
    [TestCase("INSERT INTO t VALUES ((SELECT DISTINCT @id), @name, NULL)")]
    [TestCase("INSERT INTO t VALUES ((SELECT count(*) FROM t WHERE id < 0) + @id, @name, NULL)")]
    public void A_prepared_insert_keeps_nothing_of_the_transactions_it_ran_in(string sql)
    {
        // The first run binds the values (in its transaction) and the second reuses them; a run in a session transaction
        // keeps its table for the next run in that transaction only (InsertTargets), which ends with it. Subqueries of
        // no table are bound once with the other values; one that reads a table is bound at every run (not cached).
        PreparedStatement insert = SqlSession.Prepare(sql);
        WeakReference compiledIn = InsertInATransactionOfItsOwn(insert, 3);
        WeakReference reusedIn = InsertInATransactionOfItsOwn(insert, 4);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.That(compiledIn.IsAlive, Is.False, "the transaction the values were bound in is still reachable from the prepared statement");
        Assert.That(reusedIn.IsAlive, Is.False, "the transaction of the last run is still reachable from the prepared statement");
        Session.Execute(insert, Parameters(5, "n5"));
        Assert.That(Session.Execute("SELECT group_concat(id) FROM t").Rows[0][0].ToString(), Is.EqualTo("1,2,3,4,5,13,14"));
    }

    /// <summary>
    /// Runs <paramref name="insert"/> twice (ids <paramref name="id"/> and 10 more) in a write transaction of its own,
    /// as a session runs it inside BEGIN ... COMMIT, then commits; a weak reference to that transaction.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference InsertInATransactionOfItsOwn(PreparedStatement insert, long id)
    {
        using WriteTransaction write = Database.BeginWrite();
        var opened = new InsertTargets();
        new StatementRunner(insert.Sql, write, Parameters(id, "n" + id)).Run(insert.Statements[0], insert.Plans[0], opened);
        new StatementRunner(insert.Sql, write, Parameters(id + 10, "n" + (id + 10))).Run(insert.Statements[0], insert.Plans[0], opened);
        write.Commit();
        return new WeakReference(write);
    }

    private static SqlParameters Parameters(long id, string name)
    {
        var parameters = new SqlParameters();
        parameters.Set("@id", id);
        parameters.Set("@name", name);
        parameters.Set("@b", name);
        return parameters;
    }
}
