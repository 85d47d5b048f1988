using PageDb.Records;

namespace PageDb.Tests.Records;

public class TableDefinitionCacheTests
{
    private const string File = "test.pagedb";

    private static readonly TableSchema Narrow = new("t", [new Column("id", ColumnType.Int64)], primaryKey: ["id"]);

    private static readonly TableSchema Wide = new("t",
        [new Column("id", ColumnType.Int64), new Column("note", ColumnType.String, Nullable: true)], primaryKey: ["id"]);

    [Test]
    public void The_same_bytes_give_the_same_decoded_definition()
    {
        var cache = new TableDefinitionCache();
        byte[] encoded = SchemaEncoding.EncodeTable(Narrow);
        TableDefinition first = cache.Get("t", encoded, File);
        TableDefinition second = cache.Get("t", (byte[])encoded.Clone(), File);
        Assert.That(second, Is.SameAs(first));
        Assert.That(first.Schema.Columns, Is.EqualTo(Narrow.Columns));
        Assert.That(first.Layout.ColumnCount, Is.EqualTo(1));
    }

    [Test]
    public void Other_bytes_under_the_same_name_are_decoded_again()
    {
        var cache = new TableDefinitionCache();
        TableDefinition narrow = cache.Get("t", SchemaEncoding.EncodeTable(Narrow), File);
        TableDefinition wide = cache.Get("t", SchemaEncoding.EncodeTable(Wide), File);
        Assert.That(wide.Schema.Columns, Is.EqualTo(Wide.Columns));
        Assert.That(wide.Layout.ColumnCount, Is.EqualTo(2));
        Assert.That(cache.Get("t", SchemaEncoding.EncodeTable(Narrow), File).Schema.Columns, Is.EqualTo(narrow.Schema.Columns));
    }

    [Test]
    public void The_same_bytes_under_another_name_give_that_name()
    {
        var cache = new TableDefinitionCache();
        byte[] encoded = SchemaEncoding.EncodeTable(Narrow);
        cache.Get("t", encoded, File);
        Assert.That(cache.Get("u", encoded, File).Schema.Name, Is.EqualTo("u"));
    }

    [Test]
    public void It_never_holds_more_than_its_capacity()
    {
        var cache = new TableDefinitionCache(capacity: 3);
        byte[] encoded = SchemaEncoding.EncodeTable(Narrow);
        for (int i = 0; i < 10; i++)
        {
            Assert.That(cache.Get($"t{i}", encoded, File).Schema.Name, Is.EqualTo($"t{i}"));
            Assert.That(cache.Count, Is.LessThanOrEqualTo(3));
        }
        Assert.That(cache.Count, Is.Positive);
    }

    [Test]
    public void A_corrupt_definition_throws_every_time_and_is_not_kept()
    {
        var cache = new TableDefinitionCache();
        byte[] truncated = SchemaEncoding.EncodeTable(Wide)[..^3];
        Assert.Throws<CorruptDatabaseException>(() => cache.Get("t", truncated, File));
        Assert.Throws<CorruptDatabaseException>(() => cache.Get("t", truncated, File));
        Assert.That(cache.Count, Is.Zero);
    }

    [Test]
    public void A_capacity_below_one_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new TableDefinitionCache(capacity: 0));
}
