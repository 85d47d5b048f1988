using PageDb.Sql;
using PageDb.Sql.Scan;

namespace PageDb.Sql.Tests.Scan;

public sealed class ExpressionBinderTests
{
    private static readonly TableSchema Schema = new("items",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String, Nullable: true),
         new Column("total", ColumnType.Double, Nullable: true), new Column("price", ColumnType.Decimal),
         new Column("at", ColumnType.DateTime), new Column("data", ColumnType.Bytes), new Column("flag", ColumnType.Boolean)],
        primaryKey: ["id"]);

    private static SyntaxNode Bind(string text, TableSchema? schema = null) =>
        new ExpressionBinder(schema ?? Schema, "--where").BindCondition(ScanSyntax.ParseCondition(text, "--where"));

    private static object? RightValue(string text) => ((LiteralNode)((BinaryNode)Bind(text)).Right).Value;

    private static string Error(string text) => Assert.Throws<SqlException>(() => Bind(text))!.Message;

    [Test]
    public void AnIntegerComparedWithADoubleColumnBecomesADouble()
    {
        Assert.That(RightValue("total > 10"), Is.EqualTo(10.0).And.TypeOf<double>());
        Assert.That(RightValue("id > 10"), Is.EqualTo(10L).And.TypeOf<long>());
        Assert.That(RightValue("id > 2.5"), Is.EqualTo(2.5).And.TypeOf<double>(), "a Double compares with an Int64 by value");
    }

    [Test]
    public void ANumberComparedWithADecimalColumnBecomesThatDecimalFromItsText()
    {
        Assert.That(RightValue("price = 0.1"), Is.EqualTo(0.1m).And.TypeOf<decimal>());
        Assert.That(RightValue("price = -12345678901234567.25"), Is.EqualTo(-12345678901234567.25m));
        Assert.That(RightValue("price = '2.50'"), Is.EqualTo(2.5m));
        var sum = (BinaryNode)((BinaryNode)Bind("price + 1.5 > 0")).Left;
        Assert.That(((LiteralNode)sum.Right).Value, Is.EqualTo(1.5m).And.TypeOf<decimal>());
    }

    [Test]
    public void AStringComparedWithADateTimeIsReadAsUtc()
    {
        Assert.That(RightValue("at >= '2024-01-31'"), Is.EqualTo(new DateTime(2024, 1, 31, 0, 0, 0, DateTimeKind.Utc)));
        var parsed = (DateTime)RightValue("at < '2024-01-31T12:30:00+02:00'")!;
        Assert.That((parsed, parsed.Kind), Is.EqualTo((new DateTime(2024, 1, 31, 10, 30, 0), DateTimeKind.Utc)));
    }

    [Test]
    public void AStringComparedWithBytesIsTextOrHex()
    {
        Assert.That(RightValue("data = '0x0aff'"), Is.EqualTo(new byte[] { 0x0a, 0xff }));
        Assert.That(RightValue("data = 'ab'"), Is.EqualTo("ab"u8.ToArray()));
    }

    [Test]
    public void ALiteralComparedWithALiteralIsLeftAlone()
    {
        Assert.That(RightValue("1 = 1.0"), Is.EqualTo(1.0));
        Assert.That(((LiteralNode)((BinaryNode)Bind("1 = 1.0")).Left).Value, Is.TypeOf<long>());
    }

    [TestCase("id = 'x'", "4: cannot compare Int64 column 'id' with String 'x'")]
    [TestCase("name > 3", "6: cannot compare String column 'name' with Int64 3")]
    [TestCase("flag = 1", "6: cannot compare Boolean column 'flag' with Int64 1")]
    [TestCase("id + 1 = name", "8: cannot compare an expression of type Int64 with String column 'name'")]
    [TestCase("at > 'soon'", "6: 'soon' is not a date and time (write it as ISO 8601, e.g. '2024-01-31' or '2024-01-31T12:00:00Z')")]
    [TestCase("price = 'cheap'", "9: 'cheap' is not a Decimal")]
    [TestCase("price = 1e100", "9: 1e100 is not a Decimal")]
    [TestCase("name + 1 > 2", "1: '+' needs a number, not String column 'name'")]
    [TestCase("-flag", "2: '-' needs a number, not Boolean column 'flag'")]
    [TestCase("id and flag", "1: 'and' needs a Boolean, not Int64 column 'id'")]
    [TestCase("not total", "5: 'not' needs a Boolean, not Double column 'total'")]
    [TestCase("total + 1", "7: a condition needs a Boolean, not an expression of type Double")]
    [TestCase("'yes'", "1: a condition needs a Boolean, not String 'yes'")]
    [TestCase("nope > 1", "1: unknown column 'nope' (columns: id, name, total, price, at, data, flag)")]
    [TestCase("ID > 1", "1: unknown column 'ID' (columns: id, name, total, price, at, data, flag)")]
    public void MistakesNameTheCharacter(string text, string message)
    {
        Assert.That(Error(text), Is.EqualTo("--where, character " + message));
    }

    [Test]
    public void NullFitsAnywhereAndBooleansNeedNoComparison()
    {
        Assert.That(Bind("flag and (name = null or null) and total + null > 1").ToString(),
            Is.EqualTo("((flag and ((name = null) or null)) and ((total + null) > 1))"));
    }

    [Test]
    public void ATableWithoutAKeyOffersItsRowId()
    {
        var schema = new TableSchema("log", [new Column("line", ColumnType.String)]);
        Assert.That(Bind("_rowid > 3", schema).ToString(), Is.EqualTo("(_rowid > 3)"));
        Assert.That(Assert.Throws<SqlException>(() => Bind("_rowid > 3"))!.Message, Does.Contain("unknown column '_rowid'"));
    }

    [Test]
    public void AListedColumnThatIsMissingIsNamed()
    {
        var error = Assert.Throws<SqlException>(() => new ExpressionBinder(Schema, "--columns").Resolve("cost"));
        Assert.That(error!.Message, Is.EqualTo("--columns: unknown column 'cost' (columns: id, name, total, price, at, data, flag)"));
    }
}
