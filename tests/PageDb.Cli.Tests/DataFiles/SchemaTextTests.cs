using PageDb.Cli.DataFiles;

namespace PageDb.Cli.Tests.DataFiles;

public sealed class SchemaTextTests
{
    [Test]
    public void ParseLineReadsTypesNullabilityAndKeys()
    {
        List<ColumnSpec> specs = SchemaText.ParseLine(" id:INT64 key 2 , \"a,b:string?\", when:datetime key 1, guess");
        Assert.That(specs, Is.EqualTo(new[]
        {
            new ColumnSpec("id", ColumnType.Int64, IsKey: true, KeyPosition: 2),
            new ColumnSpec("a,b", ColumnType.String, Nullable: true),
            new ColumnSpec("when", ColumnType.DateTime, IsKey: true, KeyPosition: 1),
            new ColumnSpec("guess", null),
        }));
    }

    [Test]
    public void FormatLineIsReadBackAsTheSameSchema()
    {
        var schema = new TableSchema("t",
            [new Column("a:b", ColumnType.Bytes, Nullable: true), new Column("x, y", ColumnType.Decimal), new Column("k", ColumnType.Boolean)],
            primaryKey: ["k", "x, y"]);
        List<ColumnSpec> specs = SchemaText.ParseLine(SchemaText.FormatLine(schema));
        Assert.That(specs.Select(s => new Column(s.Name, s.Type!.Value, s.Nullable)), Is.EqualTo(schema.Columns));
        Assert.That(specs.Where(s => s.IsKey).OrderBy(s => s.KeyPosition).Select(s => s.Name), Is.EqualTo(schema.PrimaryKey));
    }

    [TestCase("id:", "cannot read column")]
    [TestCase(":int64", "cannot read column")]
    [TestCase("id:int64 primary", "cannot read column")]
    [TestCase("id:int64 key 0", "cannot read column")]
    [TestCase("id:int64 key 1 2", "cannot read column")]
    [TestCase("id:float", "unknown type 'float'")]
    [TestCase("id:1", "unknown type '1'")]
    [TestCase("\"a,b\":string", "quote")]
    public void BadColumnsAreRefused(string line, string message)
    {
        var e = Assert.Throws<DataFileException>(() => SchemaText.ParseLine(line));
        Assert.That(e!.Message, Does.Contain(message));
    }
}
