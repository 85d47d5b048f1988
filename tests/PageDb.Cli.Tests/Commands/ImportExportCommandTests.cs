namespace PageDb.Cli.Tests.Commands;

/// <summary>import and export: exact round trips, inference, declared schemas, and bad input that changes nothing.</summary>
public sealed class ImportExportCommandTests
{
    private CliRun _run = null!;

    [SetUp]
    public void SetUp() => _run = new CliRun();

    [TearDown]
    public void TearDown() => _run.Dispose();

    private static readonly string[] Extensions = [".csv", ".jsonl"];

    private static TableSchema AllTypes() => new("all",
        [new Column("id", ColumnType.Int64),
         new Column("i", ColumnType.Int64, Nullable: true), new Column("d", ColumnType.Double, Nullable: true),
         new Column("b", ColumnType.Boolean, Nullable: true), new Column("s", ColumnType.String, Nullable: true),
         new Column("bytes", ColumnType.Bytes, Nullable: true), new Column("t", ColumnType.DateTime, Nullable: true),
         new Column("m", ColumnType.Decimal, Nullable: true), new Column("text", ColumnType.String)],
        primaryKey: ["id"]);

    private static Row[] AllTypesRows() =>
    [
        Row.Of(1L, null, null, null, null, null, null, null, ""),
        Row.Of(2L, long.MinValue, double.Epsilon, true, "", Array.Empty<byte>(), DateTime.MinValue, decimal.MaxValue, "a,b"),
        Row.Of(3L, long.MaxValue, double.MaxValue, false, "say \"hi\", then\nleave\r\nnow\r", new byte[] { 0, 1, 0xfe, 0xff },
            DateTime.MaxValue, decimal.MinValue, " padded "),
        Row.Of(4L, 0L, double.NaN, null, "ünïcödé 😀 中文", new byte[] { 0x30, 0x78 }, new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567),
            1.500m, "0x41"),
        Row.Of(5L, -1L, double.PositiveInfinity, true, "NULL", new byte[] { 10, 13 }, new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc), -0.0000000000000000000000000001m, "\"\""),
        Row.Of(6L, 42L, double.NegativeInfinity, false, "\\N", null, null, 0m, "null"),
        Row.Of(7L, 7L, -0.0, true, "tab\there", null, null, 79228162514264337593543950.335m, "1e5"),
        Row.Of(8L, 8L, 0.1 + 0.2, false, "{\"json\": [1]}", null, null, 1.0m, "line\u2028separator"),
        Row.Of(9L, 9L, -1.7976931348623157E+308, null, ",", null, null, 0.00m, "true"),
    ];

    private static TableSchema ComposedKey() => new("pairs",
        [new Column("a", ColumnType.String), new Column("b", ColumnType.Int64), new Column("c", ColumnType.Double, Nullable: true)],
        primaryKey: ["b", "a"]);

    private static Row[] ComposedKeyRows() =>
        [Row.Of("x", 2L, 1.5), Row.Of("y", 1L, null), Row.Of("a", 2L, -3.0)];

    private static TableSchema OneNullableColumnWithoutKey() => new("notes", [new Column("id", ColumnType.String, Nullable: true)]);

    private static Row[] OneNullableColumnRows() => [Row.Of("first"), Row.Of((object?)null), Row.Of(""), Row.Of((object?)null)];

    private static IEnumerable<TestCaseData> RoundTrips()
    {
        foreach (string extension in Extensions)
        {
            yield return new TestCaseData(AllTypes(), AllTypesRows(), extension).SetArgDisplayNames("all types", extension);
            yield return new TestCaseData(ComposedKey(), ComposedKeyRows(), extension).SetArgDisplayNames("composite key", extension);
            yield return new TestCaseData(OneNullableColumnWithoutKey(), OneNullableColumnRows(), extension).SetArgDisplayNames("row id", extension);
        }
    }

    [TestCaseSource(nameof(RoundTrips))]
    public void ExportThenImportRebuildsTheSameTable(TableSchema schema, Row[] rows, string extension)
    {
        string source = _run.File("source.pagedb");
        CreateTable(source, schema, rows);
        string file = _run.File(schema.Name + extension);
        Assert.That(CliRun.Ok("export", source, schema.Name, file).Out, Does.Contain($"exported {rows.Length} rows"));

        string target = _run.File("target.pagedb");
        Assert.That(CliRun.Ok("import", target, schema.Name, file).Out, Does.StartWith($"imported {rows.Length} rows into {schema.Name} in "));

        AssertSameTable(source, target, schema.Name);
        string again = _run.File("again" + extension);
        CliRun.Ok("export", target, schema.Name, again);
        Assert.That(File.ReadAllBytes(again), Is.EqualTo(File.ReadAllBytes(file)), "a second export writes the same bytes");
    }

    [Test]
    public void CsvExportWritesATypedHeaderAndTellsNullFromEmpty()
    {
        string source = _run.File("source.pagedb");
        CreateTable(source, ComposedKey(), [Row.Of("", 1L, null)]);
        string file = _run.File("pairs.csv");
        CliRun.Ok("export", source, "pairs", file);
        Assert.That(File.ReadAllText(file), Is.EqualTo("a:string key 2,b:int64 key 1,c:double?\n\"\",1,\n"));
    }

    [Test]
    public void JsonLinesExportWritesTheSchemaSidecar()
    {
        string source = _run.File("source.pagedb");
        CreateTable(source, ComposedKey(), [Row.Of("x", 1L, double.NaN)]);
        string file = _run.File("pairs.jsonl");
        CliRun.Ok("export", source, "pairs", file);
        Assert.That(File.ReadAllText(file), Is.EqualTo("{\"a\":\"x\",\"b\":1,\"c\":\"NaN\"}\n"));
        Assert.That(File.ReadAllText(file + ".schema"), Is.EqualTo("a:string key 2,b:int64 key 1,c:double?\n"));
    }

    [Test]
    public void CsvTypesAreInferredFromEveryRow()
    {
        string file = Write("people.csv",
            "id,age,score,member,joined,name,note\n" +
            "1,30,1,true,2024-01-02,ann,\n" +
            "2,41,2.5,FALSE,2024-01-03T04:05:06Z,bob,\n" +
            "3,,-7,true,2024-01-04T00:00:00+01:00,42,\n");
        string db = _run.File("people.pagedb");
        CliRun.Ok("import", db, "people", file);
        using PageDatabase database = PageDatabase.Open(db);
        using ReadTransaction tx = database.BeginRead();
        TableSchema schema = tx.GetTable("people").Schema;
        Assert.That(schema.Columns, Is.EqualTo(new[]
        {
            new Column("id", ColumnType.Int64), new Column("age", ColumnType.Int64, Nullable: true),
            new Column("score", ColumnType.Double), new Column("member", ColumnType.Boolean),
            new Column("joined", ColumnType.DateTime), new Column("name", ColumnType.String),
            new Column("note", ColumnType.String, Nullable: true),
        }));
        Assert.That(schema.PrimaryKey, Is.EqualTo(new[] { "id" }));
        Row third = tx.GetTable("people").Get(Row.Of(3L))!;
        Assert.That(third.GetDateTime(4), Is.EqualTo(new DateTime(2024, 1, 3, 23, 0, 0, DateTimeKind.Utc)));
        Assert.That(third.GetString(5), Is.EqualTo("42"));
    }

    /// <summary>
    /// Real data (the US ZIP code list) was imported with zip_code inferred as Int64, so 00501 came back as 501: a
    /// column is a number only when every value is written the way export writes that number.
    /// </summary>
    [Test]
    public void InferenceKeepsEveryFieldsTextThroughImportThenExport()
    {
        string[] lines =
        [
            "id,zip,signed,mixed,negative_zero,price,exponent,ratio,count",
            "1,00501,+5,12,-0,1.50,1e3,0.5,7",
            "2,01234,7,abc,3,2.25,2,0.25,-8",
            "3,99950,-2,3.0,4,10,3,1.5,9",
        ];
        string file = Write("zips.csv", string.Join("\n", lines) + "\n");
        string db = _run.File("zips.pagedb");
        CliRun.Ok("import", db, "zips", file);
        string exported = _run.File("zips-out.csv");
        CliRun.Ok("export", db, "zips", exported);

        Assert.That(File.ReadAllLines(exported)[1..], Is.EqualTo(lines[1..]));
        using PageDatabase database = PageDatabase.Open(db);
        using ReadTransaction tx = database.BeginRead();
        Assert.That(tx.GetTable("zips").Schema.Columns.Select(c => c.Type), Is.EqualTo(new[]
        {
            ColumnType.Int64, ColumnType.String, ColumnType.String, ColumnType.String, ColumnType.Double, // -0 is a double's text
            ColumnType.Decimal, ColumnType.String, ColumnType.Double, ColumnType.Int64,
        }));
    }

    [Test]
    public void JsonLinesColumnsAndTypesAreLearntFromTheKeys()
    {
        string file = Write("events.jsonl",
            "{\"kind\":\"click\",\"at\":\"2024-05-01T12:00:00Z\",\"count\":3}\n" +
            "\n" +
            "{\"kind\":\"view\",\"at\":\"2024-05-02T12:00:00Z\",\"count\":4,\"code\":\"12\"}\n");
        string db = _run.File("events.pagedb");
        CliRun.Ok("import", db, "events", file);
        using PageDatabase database = PageDatabase.Open(db);
        using ReadTransaction tx = database.BeginRead();
        Table events = tx.GetTable("events");
        Assert.That(events.Schema.Columns, Is.EqualTo(new[]
        {
            new Column("kind", ColumnType.String), new Column("at", ColumnType.DateTime),
            new Column("count", ColumnType.Int64), new Column("code", ColumnType.String, Nullable: true),
        }));
        Assert.That(events.Schema.HasRowId, Is.True, "no id column and no key: a hidden row id");
        Assert.That(events.Get(Row.Of(2L)), Is.EqualTo(Row.Of("view", new DateTime(2024, 5, 2, 12, 0, 0, DateTimeKind.Utc), 4L, "12")));
    }

    [Test]
    public void SchemaOptionDeclaresTypesAndKeyOverridesIt()
    {
        string file = Write("prices.csv", "sku,price,blob\nb,1.50,0xff00\na,2,0x\n");
        string db = _run.File("prices.pagedb");
        CliRun.Ok("import", db, "prices", file, "--schema", "sku:string, price:decimal, blob:bytes?", "--key", "price,sku");
        using PageDatabase database = PageDatabase.Open(db);
        using ReadTransaction tx = database.BeginRead();
        Table prices = tx.GetTable("prices");
        Assert.That(prices.Schema.PrimaryKey, Is.EqualTo(new[] { "price", "sku" }));
        Row b = prices.Get(Row.Of(1.50m, "b"))!;
        Assert.That(b.GetDecimal(1).ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("1.50"));
        Assert.That(b.GetBytes(2), Is.EqualTo(new byte[] { 0xff, 0x00 }));
        Assert.That(prices.Get(Row.Of(2m, "a"))!.GetBytes(2), Is.Empty);
    }

    [Test]
    public void SchemaFileOptionReadsTheSchemaText()
    {
        string file = Write("codes.jsonl", "{\"code\":\"b\",\"n\":1}\n{\"code\":\"a\",\"n\":2}\n");
        string schema = Write("codes.txt", "code:string key, n:double\n");
        string db = _run.File("codes.pagedb");
        CliRun.Ok("import", db, "codes", file, "--schema-file", schema);
        using PageDatabase database = PageDatabase.Open(db);
        using ReadTransaction tx = database.BeginRead();
        Assert.That(tx.GetTable("codes").Get(Row.Of("a")), Is.EqualTo(Row.Of("a", 2.0)));
    }

    [Test]
    public void RowsOutOfKeyOrderAreImportedToo()
    {
        string file = Write("ids.csv", "id,v\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"{(i * 7919) % 500},{i}\n")));
        string db = _run.File("ids.pagedb");
        CliRun.Ok("import", db, "ids", file);
        Assert.That(CliRun.Ok("count", db, "ids").Out.Trim(), Is.EqualTo("500"));
        Assert.That(CliRun.Run("check", db).ExitCode, Is.EqualTo(ExitCodes.Ok));
    }

    private static IEnumerable<TestCaseData> MalformedFiles()
    {
        yield return Malformed("type.csv", "id:int64 key,n:int64\n1,2\n2,x\n", 3, "column 'n': 'x' is not an int64");
        yield return Malformed("typed.csv", "id:int64 key,n:double\n1,2\n2,\n", 3, "column 'n' is null");
        yield return Malformed("count.csv", "id,n\n1,2\n2,3,4\n", 3, "3 fields where the header has 2");
        yield return Malformed("multiline.csv", "id:int64 key,s:string\n1,\"a\nb\"\nx,c\n", 4, "column 'id': 'x' is not an int64");
        yield return Malformed("quote.csv", "id,n\n1,2\n2,a\"b\n", 3, "quote");
        yield return Malformed("duplicate.csv", "id,n\n1,2\n2,3\n1,4\n", 4, "duplicate primary key");
        yield return Malformed("json.jsonl", "{\"id\":1}\n\n{\"id\":2\n", 3, "not valid JSON");
        yield return Malformed("nested.jsonl", "{\"id\":1,\"n\":{\"a\":1}}\n", 1, "holds an object");
        yield return Malformed("nokey.jsonl", "{\"id\":1,\"n\":2}\n{\"n\":3}\n", 2, "column 'id' is null");
        yield return Malformed("unknown.jsonl", "{\"id\":1}\n{\"id\":2,\"extra\":1}\n", 2, "unknown column 'extra'", "--schema", "id:int64 key");
    }

    private static TestCaseData Malformed(string name, string content, int line, string reason, params string[] options) =>
        new TestCaseData(name, content, line, reason, options).SetArgDisplayNames(name);

    [TestCaseSource(nameof(MalformedFiles))]
    public void MalformedRowStopsTheImportWithItsLineAndKeepsNothing(string name, string content, int line, string reason, string[] options)
    {
        string db = _run.CreateSampleDatabase();
        byte[] databaseBefore = File.ReadAllBytes(db);
        string file = Write(name, content);
        CliResult result = CliRun.Fails(ExitCodes.Failed, ["import", db, "imported", file, .. options]);
        Assert.That(result.Err, Does.StartWith($"pagedb: {file}:{line}: ").And.Contain(reason));
        Assert.That(File.ReadAllBytes(db), Is.EqualTo(databaseBefore));
        Assert.That(CliRun.Ok("tables", db).Out, Does.Not.Contain("imported"));
        Assert.That(CliRun.Ok("count", db, "orders").Out.Trim(), Is.EqualTo("20"));
        Assert.That(CliRun.Run("check", db).ExitCode, Is.EqualTo(ExitCodes.Ok));
    }

    [Test]
    public void FailedImportIntoANewDatabaseLeavesNoDatabase()
    {
        string file = Write("bad.csv", "id,n\n1,2\n1,3\n");
        string db = _run.File("new.pagedb");
        CliRun.Fails(ExitCodes.Failed, "import", db, "t", file);
        Assert.That(Directory.GetFiles(_run.Directory, "new.pagedb*"), Is.Empty);
    }

    [Test]
    public void MissingDataFileIsOneLine()
    {
        string db = _run.File("new.pagedb");
        CliResult result = CliRun.Fails(ExitCodes.Failed, "import", db, "t", _run.File("missing.csv"));
        Assert.That(result.Err, Does.Contain("file not found").And.Contain("missing.csv"));
        Assert.That(File.Exists(db), Is.False);
    }

    [Test]
    public void FileThatIsNotADatabaseIsOneLineForBoth()
    {
        string notes = Write("notes.txt", new string('x', 10000));
        string file = Write("data.csv", "id\n1\n");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "import", notes, "t", file).Err, Does.Contain("not a PageDb database"));
        Assert.That(CliRun.Fails(ExitCodes.Failed, "export", notes, "t", _run.File("out.csv")).Err, Does.Contain("not a PageDb database"));
        Assert.That(File.ReadAllText(notes), Is.EqualTo(new string('x', 10000)));
    }

    [Test]
    public void UnknownTableOnExportNamesTheTablesAndWritesNoFile()
    {
        string db = _run.CreateSampleDatabase();
        string file = _run.File("out.jsonl");
        CliResult result = CliRun.Fails(ExitCodes.Failed, "export", db, "nope", file);
        Assert.That(result.Err, Does.Contain("unknown table 'nope'").And.Contain("orders"));
        Assert.That(Directory.GetFiles(_run.Directory, "out*"), Is.Empty);
    }

    [Test]
    public void LockedDatabaseIsOneLine()
    {
        string db = _run.CreateSampleDatabase();
        string file = Write("data.csv", "id\n1\n");
        using (PageDatabase.Open(db))
            Assert.That(CliRun.Fails(ExitCodes.Failed, "import", db, "t", file).Err, Does.Contain("locked"));
        Assert.That(CliRun.Ok("tables", db).Out, Does.Not.Contain("t  "));
    }

    [Test]
    public void ExistingTableIsRefused()
    {
        string db = _run.CreateSampleDatabase();
        string file = Write("data.csv", "id\n1\n");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "import", db, "orders", file).Err, Does.Contain("'orders' exists already"));
        Assert.That(CliRun.Ok("count", db, "orders").Out.Trim(), Is.EqualTo("20"));
    }

    [TestCase("--schema", "id:integer", "unknown type 'integer'")]
    [TestCase("--schema", "id:int64? key, n:string", "the table cannot be made: Primary key column 'id' may not be nullable.")]
    [TestCase("--key", "nope", "the key column 'nope' is not a column")]
    [TestCase("--schema", "a:int64", "the header names the columns id, n, but the schema names a")]
    public void BadSchemaOrKeyIsOneLine(string option, string value, string message)
    {
        string file = Write("data.csv", "id,n\n1,2\n");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "import", _run.File("new.pagedb"), "t", file, option, value).Err, Does.Contain(message));
    }

    [Test]
    public void DuplicateHeaderNamesAreOneLineWithoutALineNumber()
    {
        string file = Write("data.csv", "id,n,n\n1,2,3\n");
        CliResult result = CliRun.Fails(ExitCodes.Failed, "import", _run.File("new.pagedb"), "t", file);
        Assert.That(result.Err, Is.EqualTo("pagedb: the table cannot be made: The column name 'n' is reserved or used twice.\n"));
    }

    [Test]
    public void EmptyJsonLinesFileAsksForASchema()
    {
        string file = Write("empty.jsonl", "\n");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "import", _run.File("new.pagedb"), "t", file).Err, Does.Contain("--schema"));
        CliRun.Ok("import", _run.File("new.pagedb"), "t", file, "--schema", "id:int64 key");
    }

    [Test]
    public void UnknownExtensionAsksForFormat()
    {
        string file = Write("data.txt", "id\n1\n");
        Assert.That(CliRun.Fails(ExitCodes.Failed, "import", _run.File("new.pagedb"), "t", file).Err, Does.Contain("--format"));
        CliRun.Ok("import", _run.File("new.pagedb"), "t", file, "--format", "csv");
    }

    private string Write(string name, string content)
    {
        string path = _run.File(name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void CreateTable(string path, TableSchema schema, Row[] rows)
    {
        using PageDatabase database = PageDatabase.Open(path);
        using WriteTransaction tx = database.BeginWrite();
        Table table = tx.CreateTable(schema);
        foreach (Row row in rows)
            table.Insert(row);
        tx.Commit();
    }

    private static void AssertSameTable(string expectedPath, string actualPath, string name)
    {
        using PageDatabase expectedDb = PageDatabase.Open(expectedPath);
        using PageDatabase actualDb = PageDatabase.Open(actualPath);
        using ReadTransaction expectedTx = expectedDb.BeginRead();
        using ReadTransaction actualTx = actualDb.BeginRead();
        Table expected = expectedTx.GetTable(name), actual = actualTx.GetTable(name);
        Assert.That(actual.Schema.Columns, Is.EqualTo(expected.Schema.Columns));
        Assert.That(actual.Schema.PrimaryKey, Is.EqualTo(expected.Schema.PrimaryKey));
        List<Row> expectedRows = [.. expected.Scan()], actualRows = [.. actual.Scan()];
        Assert.That(actualRows, Has.Count.EqualTo(expectedRows.Count));
        for (int r = 0; r < expectedRows.Count; r++)
            for (int c = 0; c < expected.Schema.Columns.Count; c++)
                Assert.That(Exact(actualRows[r], c), Is.EqualTo(Exact(expectedRows[r], c)), $"row {r}, column {expected.Schema.Columns[c].Name}");
        Assert.That(actualDb.CheckIntegrity().IsOk, Is.True);
    }

    /// <summary>The value with every bit visible: doubles and decimals by their bits, so -0.0, NaN and 1.50 count.</summary>
    private static object? Exact(Row row, int column) => row[column] switch
    {
        double d => BitConverter.DoubleToInt64Bits(d),
        decimal m => string.Join(",", decimal.GetBits(m)),
        DateTime t => (t.Ticks, t.Kind),
        object value => value,
        null => null,
    };
}
