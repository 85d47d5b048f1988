using PageDb.Benchmarks.Workloads.Data;
using PageDb.Execution;
using PageDb.Expressions;

namespace PageDb.Benchmarks.Workloads.Engines;

/// <summary>
/// W10 through PageDb's tables API and hand-built query operators, as a program without SQL would write it: the two
/// tables with the same columns as <see cref="AdoNetLineItems"/>'s, and the pricing summary as
/// <c>Sort(Aggregate(HashJoin(Scan(lineitem, shipdate &lt;= cutoff), Scan(part))))</c>: the small part table is the
/// hash join's build side, and the lines stream past it into the grouping.
/// </summary>
internal static class PageDbTableLineItems
{
    private static readonly TableSchema PartSchema = new("part",
        [new Column("partkey", ColumnType.Int64), new Column("mfgr", ColumnType.String),
         new Column("brand", ColumnType.String), new Column("size", ColumnType.Int64)],
        primaryKey: ["partkey"]);

    private static readonly TableSchema LineItemSchema = new("lineitem",
        [new Column("id", ColumnType.Int64), new Column("orderkey", ColumnType.Int64), new Column("partkey", ColumnType.Int64),
         new Column("quantity", ColumnType.Int64), new Column("price", ColumnType.Int64), new Column("discount", ColumnType.Int64),
         new Column("tax", ColumnType.Int64), new Column("shipdate", ColumnType.String), new Column("returnflag", ColumnType.String),
         new Column("linestatus", ColumnType.String)],
        primaryKey: ["id"]);

    /// <summary>Creates both tables in <paramref name="database"/> and inserts <paramref name="data"/> in one transaction.</summary>
    public static void Load(PageDatabase database, LineItemDataset data)
    {
        using WriteTransaction transaction = database.BeginWrite();
        Table parts = transaction.CreateTable(PartSchema);
        foreach (ref readonly Part part in data.Parts.AsSpan())
            parts.Insert(Row.Of(part.PartKey, part.Manufacturer, part.Brand, part.Size));
        Table lines = transaction.CreateTable(LineItemSchema);
        foreach (ref readonly LineItem line in data.LineItems.AsSpan())
        {
            lines.Insert(Row.Of(line.Id, line.OrderKey, line.PartKey, line.Quantity, line.Price, line.Discount, line.Tax,
                line.ShipDate, line.ReturnFlag, line.LineStatus));
        }
        transaction.Commit();
    }

    /// <summary>The pricing summary of the lines shipped by <paramref name="shipDateCutoff"/>, in one read transaction.</summary>
    public static List<PricingSummaryRow> PricingSummary(PageDatabase database, string shipDateCutoff)
    {
        using ReadTransaction transaction = database.BeginRead();
        TableScan lines = transaction.GetTable("lineitem").Scan(
            ["partkey", "quantity", "price", "discount", "tax", "returnflag", "linestatus"],
            where: Expr.Col("shipdate") <= Expr.Const(shipDateCutoff));
        var joined = new HashJoin(lines, transaction.GetTable("part").Scan(["partkey", "mfgr"]),
            [Expr.Col("lineitem.partkey")], [Expr.Col("part.partkey")]);
        Expr discounted = Expr.Col("price") * (Expr.Const(100L) - Expr.Col("discount"));
        Expr[] groupBy = [Expr.Col("returnflag"), Expr.Col("linestatus"), Expr.Col("mfgr")];
        var groups = new Aggregate(joined, groupBy,
        [
            AggregateSpec.Sum(Expr.Col("quantity"), "sum_qty"),
            AggregateSpec.Sum(Expr.Col("price"), "sum_base_price"),
            AggregateSpec.Sum(discounted, "sum_disc_price"),
            AggregateSpec.Sum(discounted * (Expr.Const(100L) + Expr.Col("tax")), "sum_charge"),
            AggregateSpec.Avg(Expr.Col("quantity"), "avg_qty"),
            AggregateSpec.Avg(Expr.Col("price"), "avg_price"),
            AggregateSpec.Avg(Expr.Col("discount"), "avg_disc"),
            AggregateSpec.Count("count_order"),
        ]);
        using var sorted = new Sort(groups, [new SortKey(Expr.Col("returnflag")), new SortKey(Expr.Col("linestatus")), new SortKey(Expr.Col("mfgr"))]);
        var rows = new List<PricingSummaryRow>();
        foreach (Row row in sorted)
        {
            rows.Add(new PricingSummaryRow(row.GetString(0), row.GetString(1), row.GetString(2),
                row.GetInt64(3), row.GetInt64(4), row.GetInt64(5), row.GetInt64(6),
                row.GetDouble(7), row.GetDouble(8), row.GetDouble(9), row.GetInt64(10)));
        }
        return rows;
    }
}
