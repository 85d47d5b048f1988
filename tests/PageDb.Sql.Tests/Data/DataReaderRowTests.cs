using System.Data.Common;
using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>
/// The values a <see cref="PageDbDataReader"/> gives from stored rows, now that a streamed query produces every row in
/// the same storage: each typed getter on a column of each stored type, NULLs, the field types of a later row, and rows
/// copied out with <see cref="DbDataReader.GetValues"/> staying as they were after the reader moves on.
/// </summary>
[TestFixture]
public sealed class DataReaderRowTests
{
    private static readonly DateTime When = new(2024, 2, 29, 13, 45, 30, DateTimeKind.Utc);

    private PageDbConnection _connection = null!;

    [SetUp]
    public void CreateRows()
    {
        _connection = new PageDbConnection($"Data Source=reader-rows-{Guid.NewGuid():N};Mode=Memory");
        _connection.Open();
        Execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, f BOOLEAN, d DATETIME, m DECIMAL)");
        using PageDbCommand insert = _connection.CreateCommand();
        insert.CommandText = "INSERT INTO v VALUES (1, 42, 2.5, 'text', @blob, 1, @when, 12.5), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";
        insert.Parameters.Add(new PageDbParameter("@blob", new byte[] { 1, 2, 3 }));
        insert.Parameters.Add(new PageDbParameter("@when", When));
        insert.ExecuteNonQuery();
        for (int id = 3; id <= 10; id++)
            Execute($"INSERT INTO v (id, i, t) VALUES ({id}, {id * 10}, 'row {id}')");
    }

    [TearDown]
    public void Close() => _connection.Dispose();

    [Test]
    public void Each_typed_getter_reads_its_column_of_a_stored_row()
    {
        using PageDbDataReader reader = Query("SELECT i, r, t, b, f, d, m FROM v WHERE id = 1");
        Assert.That(reader.Read(), Is.True);
        Assert.That((reader.GetInt64(0), reader.GetInt32(0), reader.GetInt16(0), reader.GetByte(0)), Is.EqualTo((42L, 42, (short)42, (byte)42)));
        Assert.That((reader.GetDouble(1), reader.GetFloat(1), reader.GetDecimal(1)), Is.EqualTo((2.5, 2.5f, 2.5m)));
        Assert.That((reader.GetString(2), reader.GetChar(2)), Is.EqualTo(("text", 't')));
        var bytes = new byte[3];
        Assert.That((reader.GetBytes(3, 0, null, 0, 0), reader.GetBytes(3, 0, bytes, 0, 3)), Is.EqualTo((3L, 3L)));
        Assert.That(bytes, Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(reader.GetBoolean(4), Is.True);
        Assert.That(reader.GetDateTime(5), Is.EqualTo(When));
        Assert.That(reader.GetDecimal(6), Is.EqualTo(12.5m));
        Type[] types = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType)];
        Assert.That(types, Is.EqualTo(new[] { typeof(long), typeof(double), typeof(string), typeof(byte[]), typeof(long), typeof(string), typeof(double) }));
        Assert.That(reader.Read(), Is.False);
    }

    [Test]
    public void A_NULL_is_DBNull_its_typed_getters_throw_and_its_field_type_is_the_first_rows()
    {
        using PageDbDataReader reader = Query("SELECT i, r, t, b FROM v WHERE id <= 2 ORDER BY id");
        Assert.That(reader.Read() && reader.Read(), Is.True);
        for (int column = 0; column < reader.FieldCount; column++)
        {
            Assert.That(reader.IsDBNull(column), Is.True, $"column {column}");
            Assert.That(reader.GetValue(column), Is.EqualTo(DBNull.Value), $"column {column}");
        }
        Assert.That(() => reader.GetInt64(0), Throws.TypeOf<InvalidCastException>());
        Assert.That(() => reader.GetDouble(1), Throws.TypeOf<InvalidCastException>());
        Assert.That(() => reader.GetString(2), Throws.TypeOf<InvalidCastException>());
        Assert.That(reader.GetFieldType(0), Is.EqualTo(typeof(long)), "the first row's type, kept after it was overwritten");
        Assert.That(reader.GetFieldType(3), Is.EqualTo(typeof(byte[])));
        Assert.That(reader.HasRows, Is.True);
    }

    [Test]
    public void Rows_copied_with_GetValues_keep_their_values_after_the_reader_moves_on()
    {
        using PageDbDataReader reader = Query("SELECT id, i, t FROM v WHERE id >= 3 ORDER BY id");
        var kept = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            kept.Add(row);
        }
        Assert.That(kept.Select(r => ((long)r[0], (long)r[1], (string)r[2])),
            Is.EqualTo(Enumerable.Range(3, 8).Select(id => ((long)id, id * 10L, $"row {id}"))));
    }

    [Test]
    public void A_query_with_no_rows_has_none_and_gives_string_field_types()
    {
        using PageDbDataReader reader = Query("SELECT i FROM v WHERE id > 100");
        Assert.That((reader.HasRows, reader.GetFieldType(0), reader.Read()), Is.EqualTo((false, typeof(string), false)));
    }

    [Test]
    public void A_reader_left_open_keeps_its_parameter_values_when_its_command_runs_again()
    {
        // The parameter is read on every row (a condition on a column that is not the key), and the command gives its
        // closed readers' parameter sets to its next run: an open reader's set must not be one of them.
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT id FROM v WHERE id >= 3 AND i <= @max";
        var max = new PageDbParameter("@max", 50L);
        command.Parameters.Add(max);
        for (int round = 0; round < 3; round++)
        {
            PageDbDataReader first = command.ExecuteReader();
            Assert.That(first.Read(), Is.True);
            max.Value = 1000L;
            using (PageDbDataReader second = command.ExecuteReader())
            {
                var all = new List<long>();
                while (second.Read())
                    all.Add(second.GetInt64(0));
                Assert.That(all, Is.EqualTo(new long[] { 3, 4, 5, 6, 7, 8, 9, 10 }), $"round {round}: the second run's value");
            }
            var rest = new List<long> { first.GetInt64(0) };
            while (first.Read())
                rest.Add(first.GetInt64(0));
            first.Dispose();
            Assert.That(rest, Is.EqualTo(new long[] { 3, 4, 5 }), $"round {round}: the first reader's own value, after the second closed");
            max.Value = 50L;
        }
    }

    [Test]
    public void A_reader_whose_transaction_ended_gives_no_value()
    {
        using PageDbTransaction transaction = _connection.BeginTransaction();
        using PageDbDataReader reader = Query("SELECT id FROM v WHERE id = 3");
        Assert.That(reader.Read(), Is.True);
        transaction.Commit();

        Assert.That(() => reader.GetInt64(0), Throws.InvalidOperationException.With.Message.Contains("COMMIT"));
        Assert.That(() => reader.Read(), Throws.InvalidOperationException);
    }

    [Test]
    public async Task An_async_reader_left_open_keeps_its_parameter_values_when_its_command_runs_again()
    {
        // As above through the async forms, which bind into the same idle set as the sync ones.
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT id FROM v WHERE id >= 3 AND i <= @max";
        var max = new PageDbParameter("@max", 50L);
        command.Parameters.Add(max);
        using DbDataReader first = await command.ExecuteReaderAsync();
        Assert.That(await first.ReadAsync(), Is.True);
        max.Value = 1000L;
        Assert.That(await command.ExecuteScalarAsync(), Is.EqualTo(3L));
        var all = new List<long>();
        using (DbDataReader second = await command.ExecuteReaderAsync())
        {
            while (await second.ReadAsync())
                all.Add(second.GetInt64(0));
        }
        var rest = new List<long> { first.GetInt64(0) };
        while (await first.ReadAsync())
            rest.Add(first.GetInt64(0));

        Assert.That(all, Is.EqualTo(new long[] { 3, 4, 5, 6, 7, 8, 9, 10 }), "the second run's value");
        Assert.That(rest, Is.EqualTo(new long[] { 3, 4, 5 }), "the first reader's own value");
    }

    private PageDbDataReader Query(string sql)
    {
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteReader();
    }

    private void Execute(string sql)
    {
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
