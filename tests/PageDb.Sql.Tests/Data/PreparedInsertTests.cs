using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>
/// One prepared <see cref="PageDbCommand"/> inserting row after row with its parameters changed in place, as the bench
/// and an ADO.NET application do: each .NET type a parameter may hold lands in each column type as SQLite's affinity
/// converts it, a parameter removed between runs is missing in the next, and errors leave the command usable.
/// </summary>
[TestFixture]
public sealed class PreparedInsertTests
{
    private string _folder = "";
    private PageDbConnection _connection = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Directory.CreateTempSubdirectory("pagedb-insert-").FullName;
        _connection = new PageDbConnection($"Data Source={Path.Combine(_folder, "insert.pagedb")};Mode=ReadWriteCreate");
        _connection.Open();
        using PageDbCommand create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)";
        create.ExecuteNonQuery();
    }

    [TearDown]
    public void TearDown()
    {
        _connection.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    // The value a parameter holds, the column it goes to, and what is read back.
    private static readonly (object? Value, string Column, object? Stored)[] Cases =
    [
        (5L, "i", 5L),
        (7, "i", 7L),
        ((short)-3, "i", -3L),
        ((byte)200, "i", 200L),
        ((sbyte)-8, "i", -8L),
        ((ushort)9, "i", 9L),
        (4_000_000_000u, "i", 4_000_000_000L),
        (12UL, "i", 12L),
        (true, "i", 1L),
        (DayOfWeek.Friday, "i", 5L),
        ("12", "i", 12L),
        (8m, "i", 8L),
        (DBNull.Value, "i", null),
        (2.5, "r", 2.5),
        (1.5f, "r", 1.5),
        (2.25m, "r", 2.25),
        (3, "r", 3.0),
        ("word", "t", "word"),
        ('c', "t", "c"),
        (5L, "t", "5"),
        (2.5, "t", "2.5"),
        (new DateTime(2026, 12, 7, 4, 30, 0, DateTimeKind.Utc), "t", "2026-12-07 04:30:00"),
        (null, "t", null),
        (new byte[] { 0, 1, 255 }, "b", new byte[] { 0, 1, 255 }),
    ];

    [Test]
    public void Each_parameter_type_is_stored_with_its_columns_affinity_through_reused_commands()
    {
        var commands = new Dictionary<string, PageDbCommand>();
        using (PageDbTransaction transaction = _connection.BeginTransaction())
        {
            for (int id = 0; id < Cases.Length; id++)
            {
                string column = Cases[id].Column;
                if (!commands.TryGetValue(column, out PageDbCommand? insert))
                    commands[column] = insert = Prepared($"INSERT INTO v (id, {column}) VALUES (@id, @x)", "@id", "@x");
                insert.Parameters[0].Value = id;
                insert.Parameters[1].Value = Cases[id].Value;
                Assert.That(insert.ExecuteNonQuery(), Is.EqualTo(1));
            }
            transaction.Commit();
        }
        foreach (PageDbCommand command in commands.Values)
            command.Dispose();

        for (int id = 0; id < Cases.Length; id++)
        {
            (object? value, string column, object? stored) = Cases[id];
            Assert.That(Row($"SELECT {column} FROM v WHERE id = {id}")[0], Is.EqualTo(stored), $"{value?.GetType().Name ?? "null"} {value}");
        }
    }

    [Test]
    public void A_guid_is_stored_as_its_text()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        using PageDbCommand insert = Prepared("INSERT INTO v (id, t) VALUES (1, @t)", "@t");
        insert.Parameters[0].Value = guid;
        insert.ExecuteNonQuery();

        Assert.That(Row("SELECT t FROM v"), Is.EqualTo(new object[] { guid.ToString() }));
    }

    [Test]
    public void A_parameter_removed_between_runs_is_missing_in_the_next_run()
    {
        using PageDbCommand insert = Prepared("INSERT INTO v (id, t) VALUES (@id, @t)", "@id", "@t");
        insert.Parameters[0].Value = 1;
        insert.Parameters[1].Value = "one";
        insert.ExecuteNonQuery();
        insert.Parameters.RemoveAt(1);
        insert.Parameters[0].Value = 2;

        Assert.That(() => insert.ExecuteNonQuery(), Throws.TypeOf<SqlException>().With.Message.Contains("@t"));
        Assert.That(Row("SELECT count(*) FROM v"), Is.EqualTo(new object[] { 1L }));
    }

    [Test]
    public void A_constraint_error_leaves_the_command_and_the_transaction_usable()
    {
        using PageDbCommand insert = Prepared("INSERT INTO v (id, t) VALUES (@id, @t)", "@id", "@t");
        using PageDbTransaction transaction = _connection.BeginTransaction();
        insert.Parameters[0].Value = 1;
        insert.Parameters[1].Value = "one";
        insert.ExecuteNonQuery();

        Assert.That(() => insert.ExecuteNonQuery(), Throws.TypeOf<ConstraintViolationException>());
        insert.Parameters[1].Value = new object();
        Assert.That(() => insert.ExecuteNonQuery(), Throws.TypeOf<SqlException>().With.Message.Contains("Object"));
        insert.Parameters[0].Value = 2;
        insert.Parameters[1].Value = "two";
        insert.ExecuteNonQuery();
        transaction.Commit();

        Assert.That(Row("SELECT group_concat(t) FROM v"), Is.EqualTo(new object[] { "one,two" }));
    }

    /// <summary>
    /// Per row of a warm prepared insert in a transaction, the bench's W1 (873 bytes when set; 4,100 when each run bound
    /// its values and opened the table again): the runner, the row as SQL and stored values, the boxed parameters, and
    /// what the table's insert allocates. A change that makes each run bind, plan or open the table again fails it.
    /// </summary>
    private const long InsertRowBound = 960;

    [Test]
    public void A_warm_prepared_insert_allocates_no_more_than_its_bound_per_row()
    {
        using PageDbCommand create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL, note TEXT NOT NULL)";
        create.ExecuteNonQuery();
        using PageDbCommand insert = Prepared("INSERT INTO items (id, name, value, note) VALUES (@id, @name, @value, @note)", "@id", "@name", "@value", "@note");
        string note = new('n', 100);
        using PageDbTransaction transaction = _connection.BeginTransaction();
        const int Runs = 5_000;
        for (int warm = 0; warm < 2; warm++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (long id = warm * Runs; id < (warm + 1) * Runs; id++)
            {
                insert.Parameters[0].Value = id;
                insert.Parameters[1].Value = "item";
                insert.Parameters[2].Value = 0.5;
                insert.Parameters[3].Value = note;
                insert.ExecuteNonQuery();
            }
            double perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Runs;
            if (warm == 1)
                Assert.That(perRow, Is.LessThanOrEqualTo(InsertRowBound), $"{perRow:F0} bytes per row");
        }
        transaction.Commit();
    }

    private object?[] Row(string sql)
    {
        using PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        using PageDbDataReader reader = command.ExecuteReader();
        Assert.That(reader.Read(), Is.True, sql);
        var values = new object?[reader.FieldCount];
        for (int i = 0; i < values.Length; i++)
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    }

    private PageDbCommand Prepared(string sql, params string[] names)
    {
        PageDbCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in names)
        {
            var parameter = new PageDbParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }
        command.Prepare();
        return command;
    }
}
