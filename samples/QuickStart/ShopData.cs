using System.Diagnostics;

namespace PageDb.Samples.QuickStart;

/// <summary>A customer of the generated shop.</summary>
internal sealed record Customer(long Id, string Name, string City, DateTime SignedUp);

/// <summary>An order of the generated shop.</summary>
internal sealed record Order(long Id, long CustomerId, DateTime Placed, decimal Total, string Status);

/// <summary>
/// A shop's customers and orders, generated from a fixed seed so every run loads the same rows. The shape is meant to
/// look real: a few big cities, some customers ordering far more than others, many small orders and a few large ones,
/// most orders delivered. The rows stay in memory so the sample can check the engine's answers against them.
/// </summary>
internal sealed class ShopData
{
    /// <summary>The last day an order can be placed on; generated dates lie before it.</summary>
    public static readonly DateTime End = new(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime FirstSignUp = new(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly string[] FirstNames =
        ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kofi", "Lena", "Mateo",
         "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tomas", "Uma", "Viktor", "Wen", "Yara", "Zoe"];
    private static readonly string[] LastNames =
        ["Okafor", "Silva", "Novak", "Tanaka", "Larsen", "Haddad", "Moreau", "Kowalski", "Nguyen", "Fischer", "Rossi",
         "Mensah", "Petrov", "Garcia", "Lindqvist", "Sato", "Keller", "Costa", "Ivanova", "Brennan"];

    /// <summary>The cities, biggest first: customers are drawn towards the front of the list.</summary>
    private static readonly string[] Cities =
        ["Lisbon", "Oslo", "Kyoto", "Lima", "Accra", "Perth", "Quebec", "Tartu", "Porto", "Bergen", "Cusco", "Hobart"];

    /// <summary>Order statuses with their share in thousandths.</summary>
    private static readonly (string Status, int PerMille)[] Statuses =
        [("delivered", 700), ("shipped", 150), ("pending", 80), ("cancelled", 50), ("returned", 20)];

    private ShopData(Customer[] customers, Order[] orders)
    {
        Customers = customers;
        Orders = orders;
    }

    /// <summary>The customers, by id (1, 2, ...).</summary>
    public IReadOnlyList<Customer> Customers { get; }

    /// <summary>The orders, by id (1, 2, ...).</summary>
    public IReadOnlyList<Order> Orders { get; }

    /// <summary>
    /// Generates <paramref name="orderCount"/> orders from one customer per ten orders (at least one), all from
    /// <paramref name="seed"/>.
    /// </summary>
    public static ShopData Generate(int orderCount, int seed)
    {
        var random = new Random(seed);
        var customers = new Customer[Math.Max(1, orderCount / 10)];
        for (int i = 0; i < customers.Length; i++)
            customers[i] = NewCustomer(random, i + 1);
        var orders = new Order[orderCount];
        for (int i = 0; i < orders.Length; i++)
            orders[i] = NewOrder(random, i + 1, customers[Skewed(random, customers.Length)]);
        return new ShopData(customers, orders);
    }

    private static Customer NewCustomer(Random random, long id) => new(
        id,
        $"{FirstNames[random.Next(FirstNames.Length)]} {LastNames[random.Next(LastNames.Length)]}",
        Cities[Skewed(random, Cities.Length)],
        RandomMinute(random, FirstSignUp, End.AddDays(-30)));

    private static Order NewOrder(Random random, long id, Customer customer) => new(
        id,
        customer.Id,
        RandomMinute(random, customer.SignedUp, End),
        // Many small baskets, few large ones: 5.00 to 605.00 with the mass near the bottom.
        (500 + (long)(Math.Pow(random.NextDouble(), 3) * 60_000)) / 100m,
        PickStatus(random.Next(1000)));

    /// <summary>An index in [0, count) where low indexes are much more likely than high ones.</summary>
    private static int Skewed(Random random, int count) => (int)(count * Math.Pow(random.NextDouble(), 2));

    private static DateTime RandomMinute(Random random, DateTime from, DateTime to) =>
        from.AddMinutes(random.NextInt64((long)(to - from).TotalMinutes));

    private static string PickStatus(int perMille)
    {
        foreach ((string status, int share) in Statuses)
        {
            if (perMille < share)
                return status;
            perMille -= share;
        }
        throw new UnreachableException("The status shares add up to 1000.");
    }
}
