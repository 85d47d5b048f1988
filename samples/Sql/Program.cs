using System.Diagnostics;
using Dapper;
using PageDb.Data;
using PageDb.Samples;

// SQL through the ADO.NET provider with Dapper: creates a shop (customers and orders, 1,000 orders by default),
// inserts it with parameterized multi-row commands in one transaction, then asks the questions a report would
// (a join with GROUP BY and HAVING, a correlated subquery, a key lookup, an update and a rolled-back delete).
// Every answer is compared with LINQ over the same data in memory; the exit code is 1 when any differs.
const int Seed = 11;
SampleArguments? arguments = SampleArguments.Parse(args, "Sql [folder] [--orders N]  (default 1,000)",
    new SampleOption("orders", Default: 1_000, Min: 10, Max: 1_000_000));
if (arguments is null)
    return 2;
var total = Stopwatch.StartNew();
var random = new Random(Seed);
string[] names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
var customers = names.Select((name, i) => new Customer(i + 1, name, i % 3 == 0 ? "paris" : "oslo")).ToList();
var orders = Enumerable.Range(1, (int)arguments["orders"])
    .Select(id => new Order(id, random.Next(1, names.Length + 1), Math.Round(random.NextDouble() * 200, 2)))
    .ToList();
var check = new AnswerCheck();
string path = arguments.FreshDatabasePath("sql.pagedb");

using (var db = new PageDbConnection($"Data Source={path}"))
{
    db.Open();
    Console.WriteLine($"Opened {path}");
    db.Execute("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, city TEXT)");
    db.Execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER NOT NULL, total REAL NOT NULL)");
    var watch = Stopwatch.StartNew();
    using (PageDbTransaction tx = db.BeginTransaction())
    {
        db.Execute("INSERT INTO customers VALUES (@Id, @Name, @City)", customers, tx);
        db.Execute("INSERT INTO orders VALUES (@Id, @Customer, @Total)", orders, tx);
        tx.Commit();
    }
    Console.WriteLine($"Inserted {customers.Count} customers and {orders.Count:N0} orders with Dapper in one transaction: {watch.ElapsedMilliseconds:N0} ms");

    var spend = db.Query<(string Name, long Orders, double Spent)>(
        """
        SELECT c.name, count(*) AS orders, sum(o.total) AS spent
        FROM customers c JOIN orders o ON o.customer = c.id
        WHERE c.city = @city
        GROUP BY c.name HAVING count(*) > @min
        ORDER BY spent DESC
        """, new { city = "oslo", min = 1 }).ToList();
    var expectedSpend = orders.Join(customers, o => o.Customer, c => c.Id, (o, c) => (o, c))
        .Where(p => p.c.City == "oslo").GroupBy(p => p.c.Name)
        .Select(g => (Name: g.Key, Orders: (long)g.Count(), Spent: g.Sum(p => p.o.Total)))
        .Where(r => r.Orders > 1).OrderByDescending(r => r.Spent).ToList();
    Console.WriteLine($"Spend per Oslo customer: {string.Join(", ", spend.Select(s => $"{s.Name} {s.Spent:N2}"))}");
    check.SameSequence("spend per customer", expectedSpend.Select(r => (r.Name, r.Orders, Math.Round(r.Spent, 6))).ToList(),
        spend.Select(r => (r.Name, r.Orders, Math.Round(r.Spent, 6))).ToList());

    var biggest = db.Query<Order>(
        "SELECT id, customer, total FROM orders o WHERE total = (SELECT max(total) FROM orders WHERE customer = o.customer) ORDER BY customer, id").ToList();
    var expectedBiggest = orders.Where(o => o.Total == orders.Where(x => x.Customer == o.Customer).Max(x => x.Total))
        .OrderBy(o => o.Customer).ThenBy(o => o.Id).ToList();
    Console.WriteLine($"Each customer's biggest order (a correlated subquery): {biggest.Count} rows");
    check.SameSequence("biggest orders", expectedBiggest, biggest);

    Order one = db.QuerySingle<Order>("SELECT * FROM orders WHERE id = @id", new { id = orders.Count / 2 });
    check.Equal("order by key", orders[orders.Count / 2 - 1], one);

    int raised = db.Execute("UPDATE orders SET total = total * 2 WHERE customer = @customer", new { customer = 1 });
    check.Equal("rows updated", orders.Count(o => o.Customer == 1), raised);
    using (PageDbTransaction tx = db.BeginTransaction())
    {
        db.Execute("DELETE FROM orders", transaction: tx);
        tx.Rollback();
    }
    long remaining = db.ExecuteScalar<long>("SELECT count(*) FROM orders");
    Console.WriteLine($"Doubled {raised} orders of customer 1; a DELETE rolled back left {remaining:N0} orders");
    check.Equal("orders after rollback", (long)orders.Count, remaining);
}
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:N1} s.");
return check.Report();

/// <summary>A customer row.</summary>
internal sealed record Customer(long Id, string Name, string City);

/// <summary>An order row.</summary>
internal sealed record Order(long Id, long Customer, double Total);
