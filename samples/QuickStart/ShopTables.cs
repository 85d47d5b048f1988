using System.Diagnostics;

namespace PageDb.Samples.QuickStart;

/// <summary>The shop's two tables and their indexes, and loading the generated rows into them.</summary>
internal static class ShopTables
{
    public const string Customers = "customers";
    public const string Orders = "orders";
    public const string OrdersByCustomer = "by_customer";
    public const string OrdersByPlaced = "by_placed";

    private static readonly TableSchema CustomerSchema = new(Customers,
        [new Column("id", ColumnType.Int64), new Column("name", ColumnType.String),
         new Column("city", ColumnType.String), new Column("signed_up", ColumnType.DateTime)],
        primaryKey: ["id"]);

    private static readonly TableSchema OrderSchema = new(Orders,
        [new Column("id", ColumnType.Int64), new Column("customer_id", ColumnType.Int64),
         new Column("placed", ColumnType.DateTime), new Column("total", ColumnType.Decimal),
         new Column("status", ColumnType.String)],
        primaryKey: ["id"]);

    /// <summary>Creates the tables and loads <paramref name="shop"/>, one transaction per table, printing the rate of each.</summary>
    public static void Load(PageDatabase db, ShopData shop)
    {
        LoadTable(db, CustomerSchema, [], shop.Customers, c => Row.Of(c.Id, c.Name, c.City, c.SignedUp));
        LoadTable(db, OrderSchema, [(OrdersByCustomer, "customer_id"), (OrdersByPlaced, "placed")], shop.Orders,
            o => Row.Of(o.Id, o.CustomerId, o.Placed, o.Total, o.Status));
    }

    private static void LoadTable<T>(PageDatabase db, TableSchema schema, (string Name, string Column)[] indexes,
        IReadOnlyList<T> items, Func<T, Row> toRow)
    {
        var watch = Stopwatch.StartNew();
        using (WriteTransaction tx = db.BeginWrite())
        {
            Table table = tx.CreateTable(schema);
            foreach ((string name, string column) in indexes)
                table.CreateIndex(name, [column], unique: false);
            foreach (T item in items)
                table.Insert(toRow(item));
            tx.Commit();
        }
        string indexNote = indexes.Length == 0 ? "" : $" with {indexes.Length} secondary indexes ({string.Join(", ", indexes.Select(i => i.Column))})";
        Console.WriteLine($"Loaded {items.Count,9:N0} {schema.Name}{indexNote} in one transaction: " +
            $"{watch.ElapsedMilliseconds:N0} ms, {items.Count / watch.Elapsed.TotalSeconds:N0} rows/s");
    }
}
