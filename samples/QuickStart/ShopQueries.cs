using PageDb.Execution;
using PageDb.Expressions;

namespace PageDb.Samples.QuickStart;

/// <summary>
/// The sample's queries, each a plan of engine operators: it is printed (Explain), run, and its answer compared with
/// <see cref="ExpectedAnswers"/>. All run in one read transaction, so they see one snapshot.
/// </summary>
internal sealed class ShopQueries(ReadTransaction tx, ShopData shop, AnswerCheck check)
{
    private const string Cancelled = "cancelled";
    private readonly Table _orders = tx.GetTable(ShopTables.Orders);
    private readonly Table _customers = tx.GetTable(ShopTables.Customers);

    public void RunAll()
    {
        LargeShippedOrders();
        OrdersOfBusiestCustomer();
        LargeOrdersOfLastWeek();
        RevenueByStatus();
        TopCustomers();
        RevenueByCity();
    }

    private void LargeShippedOrders()
    {
        const decimal Threshold = 400m;
        const string Status = "shipped";
        using TableScan plan = _orders.Scan(["id", "customer_id", "placed", "total"],
            where: Expr.Col("total") > Expr.Const(Threshold) & Expr.Col("status") == Expr.Const(Status));
        List<Row> rows = PlanRunner.Run("(a) Filter: shipped orders over 400.00 (the predicate runs inside the scan, on the stored records)", plan);
        check.SameSequence("(a) order ids", ExpectedAnswers.OrderIdsOver(shop, Threshold, Status), rows.ConvertAll(r => r.GetInt64(0)));
    }

    private void OrdersOfBusiestCustomer()
    {
        // The generator favours low customer ids, so customer 1 has the most orders.
        const long CustomerId = 1;
        Row customer = _customers.Get(Row.Of(CustomerId)) ?? throw new InvalidOperationException($"Customer {CustomerId} is missing.");
        check.Equal("(b) customer name", shop.Customers[0].Name, customer.GetString(1));
        using IndexScan plan = _orders.IndexScan(ShopTables.OrdersByCustomer, Row.Of(CustomerId), Row.Of(CustomerId),
            columns: ["id", "placed", "total", "status"]);
        List<Row> rows = PlanRunner.Run($"(b) Index range: the orders of customer {CustomerId} ({customer.GetString(1)}, {customer.GetString(2)}) through the customer_id index", plan);
        check.SameSequence("(b) order ids", ExpectedAnswers.OrderIdsOfCustomer(shop, CustomerId), rows.ConvertAll(r => r.GetInt64(0)));
    }

    private void LargeOrdersOfLastWeek()
    {
        const decimal MinimumTotal = 100m;
        DateTime from = ShopData.End.AddDays(-7);
        using var plan = new Filter(
            _orders.IndexScan(ShopTables.OrdersByPlaced, Row.Of(from), Row.Of(ShopData.End), toInclusive: false,
                columns: ["id", "customer_id", "placed", "total", "status"]),
            Expr.Col("total") >= Expr.Const(MinimumTotal));
        List<Row> rows = PlanRunner.Run("(b) Index range and filter: orders of 100.00 or more in the last week, oldest first, through the placed index", plan);
        check.SameSequence("(b) last week's order ids", ExpectedAnswers.OrderIdsPlacedBetween(shop, from, ShopData.End, MinimumTotal),
            rows.ConvertAll(r => r.GetInt64(0)));
    }

    private void RevenueByStatus()
    {
        using var plan = new Sort(
            new Aggregate(_orders.Scan(["status", "total"]), [Expr.Col("status")],
                [AggregateSpec.Count("orders"), AggregateSpec.Sum(Expr.Col("total"), "revenue"), AggregateSpec.Avg(Expr.Col("total"), "average")]),
            [new SortKey(Expr.Col("orders"), Descending: true)]);
        List<Row> rows = PlanRunner.Run("(c) Group by: orders, revenue and average order per status", plan);
        check.SameSequence("(c) groups (status, orders, revenue, average)", ExpectedAnswers.RevenueByStatus(shop),
            rows.ConvertAll(r => (r.GetString(0), r.GetInt64(1), r.GetDecimal(2), r.GetDecimal(3))));
    }

    private void TopCustomers()
    {
        const int Count = 5;
        using var plan = new Limit(
            new Sort(
                new Aggregate(NonCancelledOrdersWithCustomers("id", "name", "city"),
                    [Expr.Col("customers.id"), Expr.Col("name"), Expr.Col("city")],
                    [AggregateSpec.Sum(Expr.Col("total"), "spend"), AggregateSpec.Count("orders")]),
                [new SortKey(Expr.Col("spend"), Descending: true), new SortKey(Expr.Col("id"))]),
            Count);
        List<Row> rows = PlanRunner.Run($"(d) Join: the top {Count} customers by spend (orders joined with customers, cancelled orders left out)", plan);
        check.SameSequence("(d) top customers (id, name, city, spend, orders)", ExpectedAnswers.TopCustomers(shop, Cancelled, Count),
            rows.ConvertAll(r => (r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetDecimal(3), r.GetInt64(4))));
    }

    private void RevenueByCity()
    {
        using var plan = new Sort(
            new Aggregate(NonCancelledOrdersWithCustomers("id", "city"), [Expr.Col("city")],
                [AggregateSpec.Count("orders"), AggregateSpec.Sum(Expr.Col("total"), "revenue")]),
            [new SortKey(Expr.Col("revenue"), Descending: true)]);
        List<Row> rows = PlanRunner.Run("(d) Join and group by: revenue per customer city", plan);
        check.SameSequence("(d) cities (city, orders, revenue)", ExpectedAnswers.RevenueByCity(shop, Cancelled),
            rows.ConvertAll(r => (r.GetString(0), r.GetInt64(1), r.GetDecimal(2))));
    }

    /// <summary>Orders that were not cancelled (customer_id, total) joined with their customer's <paramref name="customerColumns"/>; the customers are hashed.</summary>
    private HashJoin NonCancelledOrdersWithCustomers(params string[] customerColumns) => new(
        _orders.Scan(["customer_id", "total"], where: Expr.Col("status") != Expr.Const(Cancelled)),
        _customers.Scan(customerColumns),
        [Expr.Col("customer_id")], [Expr.Col("id")]);
}
