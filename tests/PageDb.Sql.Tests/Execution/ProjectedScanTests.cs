using PageDb.Sql.Values;

namespace PageDb.Sql.Tests.Execution;

/// <summary>
/// A streamed query of one table whose result columns are plain columns (a whole-table read, or a primary-key range
/// with parameters) reads straight from the scan (ProjectedScan); every other shape, and a read inside a transaction,
/// takes the general loop. Random queries and parameters (NULL, text that is or is not a number, reals that are not
/// integers) run both as a streaming reader (the direct read) and as a finished result (the general loop), on tables
/// with a primary key and with a row id; they must give the same rows in the same order. The seed is printed.
/// A top-level point read by the integer key reads its row into a holder the session's next reader reuses (PointRow):
/// readers open at once keep their own rows, and a disposed reader shows none.
/// </summary>
[TestFixture]
public sealed class ProjectedScanTests : SessionFixture
{
    private static readonly string[] Queries =
    [
        "SELECT b FROM t ORDER BY id",
        "SELECT * FROM t",
        "SELECT c, a, c, id FROM t WHERE id >= @lo AND id < @hi",
        "SELECT a FROM t WHERE id > @lo AND id <= @hi ORDER BY id",
        "SELECT id, b FROM t WHERE id BETWEEN @lo AND @hi",
        "SELECT b, a FROM t WHERE id >= @lo",
        "SELECT c FROM t WHERE id < @hi LIMIT 3 OFFSET 1",
        "SELECT a FROM t WHERE id >= @lo AND c > 0",
        "SELECT t.a AS x FROM t WHERE @lo IS NOT NULL",
        "SELECT * FROM u",
        "SELECT b FROM u",
        "SELECT c, a FROM t WHERE id = @lo",
        "SELECT * FROM t WHERE @hi = id",
        "SELECT b, b FROM t WHERE id = @lo AND c > 0",
    ];

    private static readonly object?[] Bounds = [null, "12", "abc", 2.5, 7.0, -3];

    [Test]
    public void The_direct_read_gives_the_rows_of_the_general_loop([Values(false, true)] bool inTransaction)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        Session.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b REAL, c INTEGER NOT NULL)");
        Session.Execute("CREATE TABLE u (a INTEGER, b TEXT)");
        var ids = new HashSet<long>();
        for (int i = 0; i < 60; i++)
        {
            long id = random.Next(-20, 80);
            if (!ids.Add(id))
                continue;
            Session.Execute($"INSERT INTO t VALUES ({id}, {(i % 7 == 0 ? "NULL" : $"'a{i}'")}, {i * 0.5}, {random.Next(-3, 4)})");
            Session.Execute($"INSERT INTO u VALUES ({random.Next(100)}, 'b{i}')");
        }
        if (inTransaction)
            Session.Execute("BEGIN");
        for (int run = 0; run < 200; run++)
        {
            string sql = Queries[random.Next(Queries.Length)];
            var parameters = new SqlParameters();
            parameters.Set("@lo", Bound(random));
            parameters.Set("@hi", Bound(random));
            PreparedStatement statement = SqlSession.Prepare(sql);
            var streamed = new List<string>();
            using (SqlRowReader reader = Session.ExecuteReader(statement, parameters))
            {
                while (reader.Read())
                    streamed.Add(Text(reader.Current));
            }
            List<string> finished = [.. Session.Execute(statement, parameters).Rows.Select(Text)];
            Assert.That(streamed, Is.EqualTo(finished), $"seed {seed}, run {run}: {sql}");
        }
    }

    [Test]
    public void Point_readers_open_at_once_keep_their_own_rows_and_a_disposed_one_shows_none()
    {
        Session.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)");
        Session.Execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
        PreparedStatement get = SqlSession.Prepare("SELECT a FROM t WHERE id = @id");
        var first = new SqlParameters();
        first.Set("@id", 1L);
        var second = new SqlParameters();
        second.Set("@id", 2L);

        SqlRowReader one = Session.ExecuteReader(get, first);
        Assert.That(one.Read(), Is.True);
        using (SqlRowReader two = Session.ExecuteReader(get, second))
        {
            Assert.That(two.Read(), Is.True);
            Assert.That(one.Current[0].ToString(), Is.EqualTo("one"), "the open reader's row");
            Assert.That(two.Current[0].ToString(), Is.EqualTo("two"));
        }
        one.Dispose();
        using SqlRowReader again = Session.ExecuteReader(get, second);
        Assert.That(again.Read(), Is.True);
        Assert.That(again.Current[0].ToString(), Is.EqualTo("two"));
        Assert.That(one.Current, Is.Empty, "a disposed reader shows no row");
    }

    [Test]
    public void A_point_reader_in_a_transaction_reads_its_row_at_the_first_Read_after_a_write_of_that_row()
    {
        Session.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)");
        Session.Execute("INSERT INTO t VALUES (1, 'one')");
        PreparedStatement get = SqlSession.Prepare("SELECT a FROM t WHERE id = @id");
        var parameters = new SqlParameters();
        parameters.Set("@id", 1L);

        Session.Execute("BEGIN");
        using (SqlRowReader reader = Session.ExecuteReader(get, parameters))
        {
            Session.Execute("UPDATE t SET a = 'changed' WHERE id = 1");
            Assert.That(reader.Read(), Is.True);
            Assert.That(reader.Current[0].ToString(), Is.EqualTo("changed"), "the row as the transaction holds it at the Read");
        }
        Session.Execute("ROLLBACK");
    }

    private static object? Bound(Random random) =>
        random.Next(3) == 0 ? Bounds[random.Next(Bounds.Length)] : (long)random.Next(-25, 85);

    private static string Text(IReadOnlyList<SqlValue> row) => string.Join("|", row.Select(v => $"{v.Kind}:{v}"));
}
