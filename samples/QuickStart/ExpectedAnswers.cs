namespace PageDb.Samples.QuickStart;

/// <summary>
/// The answers to the sample's queries computed the plain way, with LINQ over the generated rows, so the engine's
/// answers can be checked. Each method mirrors one plan of <see cref="ShopQueries"/>, including its row order.
/// </summary>
internal static class ExpectedAnswers
{
    public static List<long> OrderIdsOver(ShopData shop, decimal threshold, string status) =>
        shop.Orders.Where(o => o.Total > threshold && o.Status == status).Select(o => o.Id).ToList();

    public static List<long> OrderIdsOfCustomer(ShopData shop, long customerId) =>
        shop.Orders.Where(o => o.CustomerId == customerId).Select(o => o.Id).ToList();

    public static List<long> OrderIdsPlacedBetween(ShopData shop, DateTime from, DateTime to, decimal minimumTotal) =>
        shop.Orders.Where(o => o.Placed >= from && o.Placed < to && o.Total >= minimumTotal)
            .OrderBy(o => o.Placed).ThenBy(o => o.Id).Select(o => o.Id).ToList();

    public static List<(string Status, long Orders, decimal Revenue, decimal Average)> RevenueByStatus(ShopData shop) =>
        shop.Orders.GroupBy(o => o.Status)
            .Select(g => (g.Key, (long)g.Count(), g.Sum(o => o.Total), g.Sum(o => o.Total) / g.Count()))
            .OrderByDescending(g => g.Item2).ToList();

    public static List<(long Id, string Name, string City, decimal Spend, long Orders)> TopCustomers(ShopData shop, string excludedStatus, int count) =>
        shop.Orders.Where(o => o.Status != excludedStatus).GroupBy(o => o.CustomerId)
            .Select(g => (Customer: shop.Customers[(int)g.Key - 1], Spend: g.Sum(o => o.Total), Orders: (long)g.Count()))
            .OrderByDescending(c => c.Spend).ThenBy(c => c.Customer.Id).Take(count)
            .Select(c => (c.Customer.Id, c.Customer.Name, c.Customer.City, c.Spend, c.Orders)).ToList();

    public static List<(string City, long Orders, decimal Revenue)> RevenueByCity(ShopData shop, string excludedStatus) =>
        shop.Orders.Where(o => o.Status != excludedStatus).GroupBy(o => shop.Customers[(int)o.CustomerId - 1].City)
            .Select(g => (g.Key, (long)g.Count(), g.Sum(o => o.Total)))
            .OrderByDescending(g => g.Item3).ToList();
}
