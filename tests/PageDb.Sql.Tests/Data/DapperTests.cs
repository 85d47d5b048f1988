using Dapper;
using PageDb.Data;

namespace PageDb.Sql.Tests.Data;

/// <summary>Dapper over the ADO.NET provider, unchanged: records and POCOs, anonymous parameters, multi-row inserts, scalars.</summary>
[TestFixture]
public sealed class DapperTests
{
    public sealed record Order(long Id, string Customer, double Total);

    public sealed class OrderRow
    {
        public int Id { get; set; }
        public string? Customer { get; set; }
        public decimal Total { get; set; }
    }

    private string _path = "";

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), $"dapper-{Guid.NewGuid():N}.pagedb");

    [TearDown]
    public void TearDown()
    {
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(_path)!, Path.GetFileName(_path) + "*"))
            File.Delete(file);
    }

    private PageDbConnection Open()
    {
        var connection = new PageDbConnection($"Data Source={_path}");
        connection.Open();
        return connection;
    }

    [Test]
    public void Queries_map_to_records_and_classes_with_parameters_from_anonymous_objects()
    {
        using PageDbConnection db = Open();
        db.Execute("CREATE TABLE orders(id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL)");
        int inserted = db.Execute("INSERT INTO orders VALUES (@Id, @Customer, @Total)",
            new[] { new Order(1, "alice", 12.5), new Order(2, "bob", 3), new Order(3, "alice", 7.25) });
        Assert.That(inserted, Is.EqualTo(3));

        List<Order> alice = db.Query<Order>("SELECT id, customer, total FROM orders WHERE customer = @name ORDER BY id", new { name = "alice" }).ToList();
        Assert.That(alice, Is.EqualTo(new[] { new Order(1, "alice", 12.5), new Order(3, "alice", 7.25) }));

        OrderRow bob = db.QuerySingle<OrderRow>("SELECT * FROM orders WHERE id = $id", new { id = 2 });
        Assert.That((bob.Id, bob.Customer, bob.Total), Is.EqualTo((2, "bob", 3m)));

        Assert.That(db.ExecuteScalar<double>("SELECT sum(total) FROM orders"), Is.EqualTo(22.75));
        Assert.That(db.ExecuteScalar<long>("SELECT count(*) FROM orders WHERE total > :min", new { min = 5 }), Is.EqualTo(2));
    }

    [Test]
    public void Updates_report_rows_affected_and_a_rolled_back_transaction_leaves_nothing()
    {
        using PageDbConnection db = Open();
        db.Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)");
        db.Execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)");
        Assert.That(db.Execute("UPDATE t SET v = v + 1 WHERE id >= @from", new { from = 2 }), Is.EqualTo(2));
        using (PageDbTransaction tx = db.BeginTransaction())
        {
            db.Execute("DELETE FROM t", transaction: tx);
            Assert.That(db.ExecuteScalar<long>("SELECT count(*) FROM t", transaction: tx), Is.Zero);
            tx.Rollback();
        }
        Assert.That(db.Query<long>("SELECT v FROM t ORDER BY id"), Is.EqualTo(new long[] { 10, 21, 31 }));
    }

    [Test]
    public void Connections_to_one_path_share_the_database_and_see_committed_rows()
    {
        using PageDbConnection first = Open();
        using PageDbConnection second = Open();
        first.Execute("CREATE TABLE t(x INTEGER)");
        using (PageDbTransaction tx = first.BeginTransaction())
        {
            first.Execute("INSERT INTO t VALUES (1)", transaction: tx);
            tx.Commit();
        }
        Assert.That(second.ExecuteScalar<long>("SELECT count(*) FROM t"), Is.EqualTo(1));
    }

    [Test]
    public async Task Async_calls_work()
    {
        await using PageDbConnection db = Open();
        await db.ExecuteAsync("CREATE TABLE t(x INTEGER, y TEXT)");
        await db.ExecuteAsync("INSERT INTO t VALUES (@x, @y)", new[] { new { x = 1, y = (string?)"a" }, new { x = 2, y = (string?)null } });
        var rows = (await db.QueryAsync<(long X, string? Y)>("SELECT x, y FROM t ORDER BY x")).ToList();
        Assert.That(rows, Is.EqualTo(new[] { (1L, (string?)"a"), (2L, (string?)null) }));
    }
}
