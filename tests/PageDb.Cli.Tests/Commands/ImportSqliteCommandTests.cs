using System.Globalization;
using Microsoft.Data.Sqlite;
using PageDb.Sql;
using PageDb.Sql.Values;

namespace PageDb.Cli.Tests.Commands;

/// <summary>import-sqlite, from real SQLite files written by Microsoft.Data.Sqlite.</summary>
public sealed class ImportSqliteCommandTests
{
    /// <summary>Each copied table with the SQL that reads its rows in the same order from both databases.</summary>
    private static readonly (string Table, string Columns, string Order)[] Copied =
    [
        ("customers", "id, name, email, score, photo", "id"),
        ("orders", "order_id, customer_id, total, note", "order_id"),
        ("tags", "code, label", "code"),
        ("log", "at, message", ""),
    ];

    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        _run.Dispose();
    }

    [Test]
    public void CopiesEveryRowAndIndexAndReportsWhatItCannotMap()
    {
        int seed = Random.Shared.Next();
        string source = CreateSqlite("shop.sqlite", new Random(seed));
        string target = _run.File("shop.pagedb");

        CliResult result = CliRun.Ok("import-sqlite", source, target);

        Assert.That(result.Out, Does.Contain("not mapped: view big_orders: PageDb has no views"), result.ToString());
        Assert.That(result.Out, Does.Contain("not mapped: trigger orders_touch: PageDb has no triggers"), result.ToString());
        Assert.That(result.Out, Does.Contain("not mapped: index orders_by_lower_note on orders: an index on an expression"), result.ToString());
        Assert.That(result.Out, Does.Contain("not mapped: index orders_big on orders: a partial index"), result.ToString());
        Assert.That(result.Out, Does.Contain("not mapped: table orders: its foreign keys are not kept"), result.ToString());
        Assert.That(result.Out, Does.Contain("imported 4 tables, 2 indexes and "), result.ToString());
        Assert.That(Directory.GetFiles(_run.Directory).Select(Path.GetFileName), Is.EquivalentTo(new[] { "shop.sqlite", "shop.pagedb" }));
        using var database = PageDatabase.Open(target);
        using var session = new SqlSession(database);
        using var sqlite = OpenSqlite(source);
        foreach ((string table, string columns, string order) in Copied)
        {
            string pageDbOrder = order.Length == 0 ? "" : " ORDER BY " + order;
            string sqliteOrder = " ORDER BY " + (order.Length == 0 ? "rowid" : order);
            Assert.That(PageDbRows(session, $"SELECT {columns} FROM {table}{pageDbOrder}"),
                Is.EqualTo(SqliteRows(sqlite, $"SELECT {columns} FROM {table}{sqliteOrder}")), $"table {table}, seed {seed}");
        }
        string plan = string.Join("\n", PageDbRows(session, "EXPLAIN SELECT order_id FROM orders WHERE customer_id = 3"));
        Assert.That(plan, Does.Contain("orders_by_customer"), plan);
        string uniquePlan = string.Join("\n", PageDbRows(session, "EXPLAIN SELECT id FROM customers WHERE email = 'x'"));
        Assert.That(uniquePlan, Does.Contain("sqlite_autoindex_customers_1"), uniquePlan);
        Assert.That(database.CheckIntegrity().IsOk, Is.True);
    }

    [Test]
    public void ColumnTypesAndKeysFollowTheDeclaredSchema()
    {
        string target = _run.File("shop.pagedb");
        CliRun.Ok("import-sqlite", CreateSqlite("shop.sqlite", new Random(1)), target);

        using var database = PageDatabase.Open(target);
        using ReadTransaction read = database.BeginRead();
        TableSchema customers = read.GetTable("customers").Schema;
        Assert.That(customers.Columns.Select(c => (c.Name, c.Type, c.Nullable)), Is.EqualTo(new[]
        {
            ("id", ColumnType.Int64, false), ("name", ColumnType.String, false), ("email", ColumnType.String, true),
            ("score", ColumnType.Double, true), ("photo", ColumnType.Bytes, true),
        }));
        Assert.That(customers.PrimaryKey, Is.EqualTo(new[] { "id" }));
        Assert.That(read.GetTable("tags").Schema.PrimaryKey, Is.EqualTo(new[] { "code" }));
        Assert.That(read.GetTable("log").Schema.HasRowId, Is.True);
    }

    [Test]
    public void AnExistingTargetNeedsForce()
    {
        string source = CreateSqlite("shop.sqlite", new Random(2));
        string target = _run.CreateSampleDatabase("shop.pagedb");

        CliResult refused = CliRun.Fails(2, "import-sqlite", source, target);

        Assert.That(refused.Err, Does.Contain("pass --force"));
        Assert.That(CliRun.Ok("tables", target).Out, Does.Contain("orders").And.Not.Contain("customers"));
        CliRun.Ok("import-sqlite", source, target, "--force");
        Assert.That(CliRun.Ok("tables", target).Out, Does.Contain("customers"));
        Assert.That(CliRun.Ok("check", target).Out, Does.Contain("0 problems"));
    }

    [Test]
    public void AFileThatIsNotSqliteFailsWithOneLineAndLeavesNoTarget()
    {
        string source = _run.File("notes.sqlite");
        File.WriteAllText(source, "these are notes, not a database; long enough to have a header's worth of bytes in it.\n");
        string target = _run.File("notes.pagedb");

        CliResult result = CliRun.Fails(2, "import-sqlite", source, target);

        Assert.That(result.Err, Does.Contain("is not a readable SQLite database"));
        Assert.That(Directory.GetFiles(_run.Directory).Select(Path.GetFileName), Is.EqualTo(new[] { "notes.sqlite" }));
    }

    [Test]
    public void AValueItsColumnRefusesStopsTheImportAndLeavesNoTarget()
    {
        string source = _run.File("loose.sqlite");
        using (SqliteConnection sqlite = OpenSqlite(source, SqliteOpenMode.ReadWriteCreate))
        {
            Execute(sqlite, "CREATE TABLE good (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO good VALUES (1, 'a');");
            Execute(sqlite, "CREATE TABLE loose (id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO loose VALUES (1, 5), (2, 'not a number');");
        }
        string target = _run.File("loose.pagedb");

        CliResult result = CliRun.Fails(2, "import-sqlite", source, target);

        Assert.That(result.Err, Does.Contain("table loose, row 2").And.Contain("nothing was imported"));
        Assert.That(Directory.GetFiles(_run.Directory).Select(Path.GetFileName), Is.EqualTo(new[] { "loose.sqlite" }));
    }

    [Test]
    public void AWithoutRowidTableKeepsItsCompositeKey()
    {
        string source = _run.File("pairs.sqlite");
        using (SqliteConnection sqlite = OpenSqlite(source, SqliteOpenMode.ReadWriteCreate))
            Execute(sqlite, "CREATE TABLE pairs (a TEXT, b INT, c BLOB, PRIMARY KEY (b, a)) WITHOUT ROWID; INSERT INTO pairs VALUES ('x', 2, NULL), ('y', 1, x'00ff'), ('a', 2, x'');");
        string target = _run.File("pairs.pagedb");

        CliRun.Ok("import-sqlite", source, target);

        using var database = PageDatabase.Open(target);
        using var session = new SqlSession(database);
        Assert.That(PageDbRows(session, "SELECT b, a, c FROM pairs"), Is.EqualTo(new[] { "Integer:1|Text:y|x00FF", "Integer:2|Text:a|x", "Integer:2|Text:x|NULL" }));
        using ReadTransaction read = database.BeginRead();
        Assert.That(read.GetTable("pairs").Schema.PrimaryKey, Is.EqualTo(new[] { "b", "a" }));
    }

    [Test]
    public void ANullInATextPrimaryKeyOfARowidTableIsRefusedByName()
    {
        string source = _run.File("quirk.sqlite");
        using (SqliteConnection sqlite = OpenSqlite(source, SqliteOpenMode.ReadWriteCreate))
            Execute(sqlite, "CREATE TABLE names (name TEXT PRIMARY KEY); INSERT INTO names VALUES ('a'), (NULL);");

        CliResult result = CliRun.Fails(2, "import-sqlite", source, _run.File("quirk.pagedb"));

        Assert.That(result.Err, Does.Contain("table names, row 1").And.Contain("NOT NULL"));
        Assert.That(Directory.GetFiles(_run.Directory).Select(Path.GetFileName), Is.EqualTo(new[] { "quirk.sqlite" }));
    }

    [Test]
    public void AMissingSourceFailsWithOneLine()
    {
        CliResult result = CliRun.Fails(2, "import-sqlite", _run.File("absent.sqlite"), _run.File("x.pagedb"));

        Assert.That(result.Err, Does.Contain("file not found"));
        Assert.That(Directory.GetFiles(_run.Directory), Is.Empty);
    }

    /// <summary>A SQLite database with four tables (NULLs, reals, blobs, text), indexes, a view and a trigger.</summary>
    private string CreateSqlite(string name, Random random)
    {
        string path = _run.File(name);
        using SqliteConnection sqlite = OpenSqlite(path, SqliteOpenMode.ReadWriteCreate);
        Execute(sqlite, """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email VARCHAR(80) UNIQUE, score REAL, photo BLOB);
            CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total DOUBLE, note TEXT);
            CREATE INDEX orders_by_customer ON orders (customer_id);
            CREATE INDEX orders_by_lower_note ON orders (lower(note));
            CREATE INDEX orders_big ON orders (total) WHERE total > 100;
            CREATE TABLE tags (code TEXT PRIMARY KEY, label TEXT);
            CREATE TABLE log (at TEXT, message TEXT);
            CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
            CREATE TRIGGER orders_touch AFTER INSERT ON orders BEGIN INSERT INTO log VALUES ('now', 'order'); END;
            """);
        using SqliteTransaction tx = sqlite.BeginTransaction();
        for (int id = 1; id <= 300; id++)
        {
            Insert(sqlite, "customers", id * 3, "name " + id,
                random.Next(4) == 0 ? null : $"c{id}@example.com", random.Next(5) == 0 ? null : random.NextDouble() * 1000 - 500,
                random.Next(3) == 0 ? null : RandomBytes(random));
        }
        for (int id = 1; id <= 1000; id++)
        {
            Insert(sqlite, "orders", id, random.Next(6) == 0 ? null : random.Next(1, 100) * 3,
                Math.Round(random.NextDouble() * 200, 2), random.Next(4) == 0 ? null : new string('n', random.Next(0, 3000)));
        }
        for (int i = 0; i < 50; i++)
            Insert(sqlite, "tags", $"t{random.Next():x8}-{i}", random.Next(2) == 0 ? null : "label " + i);
        tx.Commit();
        return path;
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 600)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static void Insert(SqliteConnection sqlite, string table, params object?[] values)
    {
        using SqliteCommand command = sqlite.CreateCommand();
        command.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", values.Select((_, i) => "$p" + i))})";
        for (int i = 0; i < values.Length; i++)
            command.Parameters.AddWithValue("$p" + i, values[i] ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static SqliteConnection OpenSqlite(string path, SqliteOpenMode mode = SqliteOpenMode.ReadOnly)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection sqlite, string sql)
    {
        using SqliteCommand command = sqlite.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<string> SqliteRows(SqliteConnection sqlite, string sql)
    {
        using SqliteCommand command = sqlite.CreateCommand();
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Canonical(SqlValue.FromObject(reader.GetValue(i))))));
        return rows;
    }

    private static List<string> PageDbRows(SqlSession session, string sql) =>
        [.. session.Execute(sql).Rows.Select(r => string.Join("|", r.Select(Canonical)))];

    /// <summary>A value with its kind, so 5 and 5.0 and '5' differ; bytes in hex.</summary>
    private static string Canonical(SqlValue value) => value.ToObject() switch
    {
        null => "NULL",
        byte[] bytes => "x" + Convert.ToHexString(bytes),
        double real => "r" + real.ToString("R", CultureInfo.InvariantCulture),
        object other => value.Kind + ":" + Convert.ToString(other, CultureInfo.InvariantCulture),
    };
}
