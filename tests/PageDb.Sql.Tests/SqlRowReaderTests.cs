using PageDb.Sql.Values;

namespace PageDb.Sql.Tests;

/// <summary>
/// A <see cref="SqlRowReader"/> outside a transaction holds its read snapshot exactly until it is disposed, or until
/// its session is: the database's oldest reader pins the WAL written after it while it is open, and nothing once it
/// is gone.
/// </summary>
[TestFixture]
public sealed class SqlRowReaderTests : SessionFixture
{
    private long Pinned => Database.GetStats().OldestReaderPinnedWalBytes;

    [SetUp]
    public void CreateTable()
    {
        Session.Execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
        Session.Execute("INSERT INTO t VALUES (1), (2), (3)");
    }

    private SqlRowReader OpenAndWriteBehind()
    {
        SqlRowReader reader = Session.ExecuteReader(SqlSession.Prepare("SELECT id FROM t"));
        Assert.That(reader.Read(), Is.True);
        Session.Execute("INSERT INTO t VALUES (4)");
        Assert.That(Pinned, Is.GreaterThan(0), "the open reader's snapshot pins the WAL written after it");
        return reader;
    }

    [Test]
    public void Disposing_the_reader_releases_its_snapshot()
    {
        SqlRowReader reader = OpenAndWriteBehind();
        Assert.That(reader.Read() && reader.Read() && !reader.Read(), Is.True, "three rows: the snapshot, not the insert");
        Assert.That(Pinned, Is.GreaterThan(0), "reading to the end does not release it; Dispose does");
        reader.Dispose();
        Assert.That(Pinned, Is.Zero);
        Assert.That(() => reader.Read(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void Disposing_the_session_releases_its_readers_snapshots()
    {
        SqlRowReader reader = OpenAndWriteBehind();
        Session.Dispose();
        Assert.That(Pinned, Is.Zero);
        Assert.That(() => reader.Read(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void A_disposed_point_reader_gives_no_row_not_even_the_next_readers()
    {
        // A point read by the integer key reads its row into a holder the session's next reader reuses (PointRow).
        PreparedStatement point = SqlSession.Prepare("SELECT id, id * 10 FROM t WHERE id = @id");
        SqlRowReader first = Session.ExecuteReader(point, Id(1));
        Assert.That(first.Read(), Is.True);
        Assert.That(first[1].ToInteger(), Is.EqualTo(10));
        first.Dispose();
        using SqlRowReader second = Session.ExecuteReader(point, Id(2));
        Assert.That(second.Read(), Is.True);

        Assert.That(first.Current, Is.Empty);
        Assert.That(() => first[0], Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => first.Read(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(second[1].ToInteger(), Is.EqualTo(20));
    }

    [Test]
    public void A_reader_whose_transaction_ended_gives_no_row()
    {
        Session.Execute("BEGIN");
        SqlRowReader reader = Session.ExecuteReader(SqlSession.Prepare("SELECT id FROM t WHERE id = 2"));
        Assert.That(reader.Read(), Is.True);
        Session.Execute("COMMIT");

        Assert.That(reader.Current, Is.Empty);
        Assert.That(() => reader[0], Throws.InvalidOperationException.With.Message.Contains("COMMIT"));
        reader.Dispose();
    }

    private static SqlParameters Id(long id)
    {
        var parameters = new SqlParameters();
        parameters.Set("@id", id);
        return parameters;
    }

    [Test]
    public void The_current_row_is_valid_until_the_next_Read_and_a_copy_keeps_it()
    {
        using SqlRowReader reader = Session.ExecuteReader(SqlSession.Prepare("SELECT id, id * 10 FROM t ORDER BY id"));
        var copies = new List<SqlValue[]>();
        while (reader.Read())
        {
            Assert.That((reader[0], reader[1]), Is.EqualTo((reader.Current[0], reader.Current[1])), "the indexer reads the current row");
            copies.Add([.. reader.Current]);
        }
        Assert.That(copies.Select(r => (r[0].ToInteger(), r[1].ToInteger())), Is.EqualTo(new[] { (1L, 10L), (2L, 20L), (3L, 30L) }));
    }

    [Test]
    public void A_failing_query_releases_the_snapshot_it_began()
    {
        Assert.That(() => Session.ExecuteReader(SqlSession.Prepare("SELECT nope FROM t")), Throws.TypeOf<SqlException>());
        Session.Execute("INSERT INTO t VALUES (5)");
        Assert.That(Pinned, Is.Zero);
    }

    /// <summary>
    /// The rows of a prepared query read to the end, with its parameter and its uncorrelated subquery's count (which a
    /// statement computes once), as (id, count) pairs.
    /// </summary>
    private static List<(long, long)> ReadAll(SqlRowReader reader)
    {
        var rows = new List<(long, long)>();
        while (reader.Read())
            rows.Add((reader[0].ToInteger(), reader[1].ToInteger()));
        return rows;
    }

    [Test]
    public void A_reader_opened_after_one_was_disposed_reads_its_own_snapshot_parameters_and_subqueries()
    {
        // A disposed reader gives its runner back to the session for the next one to start again: nothing of the
        // previous run (its snapshot, parameters, or the subquery result it computed once) may show through.
        PreparedStatement query = SqlSession.Prepare("SELECT id, (SELECT count(*) FROM t) FROM t WHERE id >= @from ORDER BY id");
        SqlRowReader Open(long from)
        {
            var parameters = new SqlParameters();
            parameters.Set("@from", from);
            return Session.ExecuteReader(query, parameters);
        }
        using (SqlRowReader first = Open(2))
            Assert.That(ReadAll(first), Is.EqualTo(new[] { (2L, 3L), (3L, 3L) }));
        Session.Execute("INSERT INTO t VALUES (4)");
        SqlRowReader open = Open(1);
        Assert.That(open.Read(), Is.True);
        using (SqlRowReader second = Open(3))
            Assert.That(ReadAll(second), Is.EqualTo(new[] { (3L, 4L), (4L, 4L) }), "the new snapshot, parameter and count");
        Session.Execute("INSERT INTO t VALUES (5)");
        using (SqlRowReader third = Open(4))
            Assert.That(ReadAll(third), Is.EqualTo(new[] { (4L, 5L), (5L, 5L) }), "a reader opened while another is open and after one was disposed");
        Assert.That(ReadAll(open), Is.EqualTo(new[] { (2L, 4L), (3L, 4L), (4L, 4L) }), "the reader left open kept its own run");
        open.Dispose();
    }
}
