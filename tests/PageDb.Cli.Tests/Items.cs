namespace PageDb.Cli.Tests;

/// <summary>One row of the "items" table that the scan tests query, also kept in memory for LINQ to check against.</summary>
public sealed record Item(long Id, string? Name, long Qty, double? Total, decimal Price, DateTime At, bool? Flag, byte[] Data)
{
    public static readonly string[] Names = ["ant", "bee", "cat", "dog", "\u00e9mile"];

    public static readonly DateTime FirstDay = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The items table: every column type, key <c>id</c>, and indexes by_name (nullable), by_total (nullable) and
    /// by_at_qty (composite), so conditions can be answered by each kind of scan.
    /// </summary>
    public static TableSchema Schema { get; } = new("items",
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String, Nullable: true),
         new Column("qty", ColumnType.Int64), new Column("total", ColumnType.Double, Nullable: true),
         new Column("price", ColumnType.Decimal), new Column("at", ColumnType.DateTime),
         new Column("flag", ColumnType.Boolean, Nullable: true), new Column("data", ColumnType.Bytes)],
        primaryKey: ["id"]);

    /// <summary><paramref name="count"/> items with distinct ids in -50..150 and values drawn so conditions often tie.</summary>
    public static List<Item> Generate(Random random, int count) =>
        [.. Enumerable.Range(-50, 201).OrderBy(_ => random.Next()).Take(count).Select(id => new Item(
            id,
            random.Next(6) == 0 ? null : Names[random.Next(Names.Length)],
            random.Next(-5, 6),
            random.Next(5) == 0 ? null : random.Next(-20, 21) * 0.5,
            random.Next(-400, 401) / 100m,
            FirstDay.AddDays(random.Next(31)).AddHours(random.Next(3) * 6),
            random.Next(3) switch { 0 => null, 1 => true, _ => false },
            [.. Enumerable.Range(0, random.Next(3)).Select(_ => (byte)random.Next(256))]))];

    /// <summary>Creates the database at <paramref name="path"/> holding <paramref name="items"/>.</summary>
    public static void CreateDatabase(string path, IEnumerable<Item> items)
    {
        using var database = PageDatabase.Open(path);
        using WriteTransaction tx = database.BeginWrite();
        Table table = tx.CreateTable(Schema);
        foreach (Item item in items)
            table.Insert(Row.Of(item.Id, item.Name, item.Qty, item.Total, item.Price, item.At, item.Flag, item.Data));
        table.CreateIndex("by_name", ["name"]);
        table.CreateIndex("by_total", ["total"]);
        table.CreateIndex("by_at_qty", ["at", "qty"]);
        tx.Commit();
    }
}
