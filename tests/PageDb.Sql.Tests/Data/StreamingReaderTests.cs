using System.Data;
using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>
/// A query's rows reach the reader one at a time, and the reader's read transaction lives exactly as long as the
/// reader: writes on the same connection meanwhile commit and are not seen by it; a transaction's end or the
/// connection's close ends it.
/// </summary>
[TestFixture]
public sealed class StreamingReaderTests
{
    /// <summary>100 rows: cross-joined four times they make 100,000,000 rows, which no one could build as a list in a test.</summary>
    private static PageDbConnection Open(string name)
    {
        var connection = new PageDbConnection($"Data Source={name}-{Guid.NewGuid():N};Mode=Memory");
        connection.Open();
        Execute(connection, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        using PageDbTransaction transaction = connection.BeginTransaction();
        for (int i = 1; i <= 100; i++)
            Execute(connection, $"INSERT INTO t VALUES ({i}, 'v{i}')");
        transaction.Commit();
        return connection;
    }

    private static int Execute(PageDbConnection connection, string sql)
    {
        using PageDbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private static long Count(PageDbConnection connection)
    {
        using PageDbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM t";
        return (long)command.ExecuteScalar()!;
    }

    [Test]
    public void The_first_rows_of_a_hundred_million_row_join_arrive_without_computing_the_rest()
    {
        using PageDbConnection connection = Open("stream");
        using PageDbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT a.id, b.id, c.id, d.id FROM t a, t b, t c, t d";
        using (PageDbDataReader reader = command.ExecuteReader())
        {
            Assert.That(reader.HasRows, Is.True);
            for (long expected = 1; expected <= 3; expected++)
            {
                Assert.That(reader.Read(), Is.True);
                Assert.That((reader.GetInt64(0), reader.GetInt64(3)), Is.EqualTo((1L, expected)));
            }
        }
        Assert.That(command.ExecuteScalar(), Is.EqualTo(1L), "ExecuteScalar reads the first row only");
    }

    [Test]
    public void A_write_on_the_same_connection_while_a_reader_is_open_commits_and_the_reader_keeps_its_snapshot()
    {
        using PageDbConnection connection = Open("snapshot");
        using PageDbCommand query = connection.CreateCommand();
        query.CommandText = "SELECT id FROM t ORDER BY id";
        using (PageDbDataReader reader = query.ExecuteReader())
        {
            Assert.That(reader.Read(), Is.True);
            Assert.That(Execute(connection, "INSERT INTO t VALUES (101, 'new')"), Is.EqualTo(1));
            Assert.That(Execute(connection, "DELETE FROM t WHERE id = 50"), Is.EqualTo(1));
            Assert.That(Count(connection), Is.EqualTo(100), "other commands see the writes");
            var ids = new List<long> { reader.GetInt64(0) };
            while (reader.Read())
                ids.Add(reader.GetInt64(0));
            Assert.That(ids, Is.EqualTo(Enumerable.Range(1, 100).Select(i => (long)i)), "the open reader does not");
        }
        using PageDbDataReader after = query.ExecuteReader();
        var later = new List<long>();
        while (after.Read())
            later.Add(after.GetInt64(0));
        Assert.That(later, Does.Contain(101L).And.Not.Contain(50L));
    }

    [Test]
    public void Committing_or_rolling_back_ends_a_reader_of_the_transaction()
    {
        using PageDbConnection connection = Open("transaction");
        foreach (bool commit in new[] { true, false })
        {
            PageDbTransaction transaction = connection.BeginTransaction();
            Execute(connection, "UPDATE t SET v = 'changed' WHERE id = 1");
            using PageDbCommand query = connection.CreateCommand();
            query.CommandText = "SELECT v FROM t";
            using PageDbDataReader reader = query.ExecuteReader();
            Assert.That(reader.Read(), Is.True);
            Assert.That(reader.GetString(0), Is.EqualTo("changed"), "the reader reads its transaction");
            if (commit)
                transaction.Commit();
            else
                transaction.Rollback();
            Assert.That(() => reader.Read(), Throws.InvalidOperationException.With.Message.Contains(commit ? "COMMIT" : "ROLLBACK"));
        }
    }

    [Test]
    public void A_key_range_reader_of_a_transaction_that_deletes_and_inserts_meanwhile_goes_on_in_key_order()
    {
        using PageDbConnection connection = Open("live-range");
        using PageDbTransaction transaction = connection.BeginTransaction();
        using PageDbCommand query = connection.CreateCommand();
        query.CommandText = "SELECT id FROM t WHERE id >= 10 AND id < 60 ORDER BY id";
        using PageDbDataReader reader = query.ExecuteReader();
        var ids = new List<long>();
        for (int i = 0; i < 5 && reader.Read(); i++)
            ids.Add(reader.GetInt64(0));

        Execute(connection, "DELETE FROM t WHERE id >= 20 AND id < 30");
        Execute(connection, "INSERT INTO t VALUES (200, 'new'), (0, 'new')");
        Execute(connection, "UPDATE t SET v = 'changed' WHERE id = 45");
        while (reader.Read())
            ids.Add(reader.GetInt64(0));

        Assert.That(ids, Is.Ordered.And.Unique.And.All.InRange(10L, 59L), "the key read goes on in key order, within its range");
        Assert.That(ids, Is.SupersetOf(Enumerable.Range(10, 10).Concat(Enumerable.Range(30, 30)).Select(i => (long)i)),
            "with every row the transaction did not delete");
    }

    [TestCase("t", "id")]
    [TestCase("k", "id")]
    public void A_full_scan_reader_of_a_transaction_that_writes_meanwhile_goes_on_in_key_order_and_sees_the_changes_ahead(string table, string column)
    {
        // t has an integer primary key; k has none, so its rows are in row id order (here, insertion order of ids).
        using PageDbConnection connection = Open("live-scan");
        Execute(connection, "CREATE TABLE k (id INTEGER, v TEXT); INSERT INTO k SELECT id, v FROM t");
        using PageDbTransaction transaction = connection.BeginTransaction();
        using PageDbCommand query = connection.CreateCommand();
        query.CommandText = $"SELECT {column}, v FROM {table}";
        using PageDbDataReader reader = query.ExecuteReader();
        var rows = new List<(long Id, string V)>();
        for (int i = 0; i < 5 && reader.Read(); i++)
            rows.Add((reader.GetInt64(0), reader.GetString(1)));

        Execute(connection, $"DELETE FROM {table} WHERE id >= 20 AND id < 30");
        Execute(connection, $"INSERT INTO {table} VALUES (200, 'new')");
        Execute(connection, $"UPDATE {table} SET v = 'changed' WHERE id = 45");
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
            if (rows.Count == 50)
                Execute(connection, $"DELETE FROM {table} WHERE id = 70");
        }

        long[] expected = [.. Enumerable.Range(1, 100).Where(i => i is (< 20 or >= 30) and not 70).Select(i => (long)i), 200];
        Assert.That(rows.Select(r => r.Id), Is.EqualTo(expected), "each row once, in key order, without the rows deleted ahead and with the row inserted ahead");
        Assert.That(rows.Single(r => r.Id == 45).V, Is.EqualTo("changed"));
    }

    [Test]
    public void Closing_the_connection_ends_its_readers_and_CloseConnection_closes_it_with_the_reader()
    {
        using PageDbConnection connection = Open("close");
        using PageDbCommand query = connection.CreateCommand();
        query.CommandText = "SELECT id FROM t";
        PageDbDataReader open = query.ExecuteReader();
        Assert.That(open.Read(), Is.True);
        connection.Close();
        Assert.That(() => open.Read(), Throws.TypeOf<ObjectDisposedException>());
        open.Dispose();

        connection.Open();
        Execute(connection, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)");
        using (PageDbDataReader reader = query.ExecuteReader(CommandBehavior.CloseConnection))
            Assert.That(connection.State, Is.EqualTo(ConnectionState.Open));
        Assert.That(connection.State, Is.EqualTo(ConnectionState.Closed));
    }

    [Test]
    public async Task ReadAsync_honours_cancellation_and_the_reader_releases_on_DisposeAsync()
    {
        using PageDbConnection connection = Open("async");
        using PageDbCommand query = connection.CreateCommand();
        query.CommandText = "SELECT id FROM t";
        await using (PageDbDataReader reader = (PageDbDataReader)await query.ExecuteReaderAsync())
        {
            Assert.That(await reader.ReadAsync(), Is.True);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            Assert.That(async () => await reader.ReadAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        }
        Assert.That(await query.ExecuteScalarAsync(), Is.EqualTo(1L));
    }
}
