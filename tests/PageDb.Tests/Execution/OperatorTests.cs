using PageDb.Execution;
using PageDb.Expressions;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Execution;

public class OperatorTests
{
    private PageDatabase _db = null!;
    private WriteTransaction _tx = null!;
    private Table _orders = null!;

    [SetUp]
    public void SetUp()
    {
        _db = Open(new MemoryStorage());
        _tx = _db.BeginWrite();
        _orders = _tx.CreateTable(new TableSchema("orders",
            [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String),
             new Column("total", ColumnType.Double, Nullable: true)],
            primaryKey: ["id"]));
        _orders.Insert(Row.Of(3L, "bob", 30.0));
        _orders.Insert(Row.Of(1L, "alice", 12.5));
        _orders.Insert(Row.Of(2L, "alice", null));
        _orders.Insert(Row.Of(4L, "carol", 5.0));
        _orders.Insert(Row.Of(5L, "bob", 11.0));
    }

    [TearDown]
    public void TearDown()
    {
        _tx.Dispose();
        _db.Dispose();
    }

    [Test]
    public void The_api_example_runs_and_explains_itself()
    {
        using var plan = new Limit(new Filter(_orders.Scan(columns: ["id", "total"]), Expr.Col("total") > Expr.Const(10.0)), count: 2);
        Assert.That(plan.Select(r => r.GetInt64(0)), Is.EqualTo(new[] { 1L, 3L }));
        Assert.That(plan.Explain(), Is.EqualTo("Limit 2\n  Filter (total > 10)\n    TableScan orders [id, total]\n"));
    }

    [Test]
    public void An_index_scan_explains_its_bounds_as_values()
    {
        _orders.CreateIndex("by_customer", ["customer", "total"]);
        Assert.That(_orders.IndexScan(null, Row.Of(2L), Row.Of(4L), toInclusive: false, columns: ["id"]).Explain(),
            Is.EqualTo("IndexScan orders.primary key [2 .. 4) [id]\n"));
        Assert.That(_orders.IndexScan("by_customer", Row.Of("alice"), null, fromInclusive: false, columns: ["id"]).Explain(),
            Is.EqualTo("IndexScan orders.by_customer ('alice' .. open] [id]\n"));
        Assert.That(_orders.IndexScan("by_customer", Row.Of("bob", 20.0), Row.Of("bob", null), columns: ["id"]).Explain(),
            Is.EqualTo("IndexScan orders.by_customer [('bob', 20) .. ('bob', null)] [id]\n"));
    }

    [Test]
    public void A_scan_predicate_is_evaluated_on_the_record()
    {
        var scan = _orders.Scan(["id"], Expr.Col("customer") == Expr.Const("bob") & !Expr.IsNull(Expr.Col("total")));
        Assert.That(scan.Select(r => r.GetInt64(0)), Is.EqualTo(new[] { 3L, 5L }));
        Assert.That(scan.Explain(), Does.Contain("where ((customer = 'bob') and (not (total is null)))"));
    }

    [Test]
    public void Index_scans_respect_their_bounds()
    {
        _orders.CreateIndex("by_customer", ["customer", "total"]);
        Assert.That(Ids(_orders.IndexScan(null, Row.Of(2L), Row.Of(4L))), Is.EqualTo(new[] { 2L, 3L, 4L }));
        Assert.That(Ids(_orders.IndexScan(null, Row.Of(2L), Row.Of(4L), false, false)), Is.EqualTo(new[] { 3L }));
        Assert.That(Ids(_orders.IndexScan(null, null, Row.Of(2L))), Is.EqualTo(new[] { 1L, 2L }));
        Assert.That(Ids(_orders.IndexScan("by_customer", Row.Of("alice"), Row.Of("bob"))), Is.EqualTo(new[] { 2L, 1L, 5L, 3L }));
        Assert.That(Ids(_orders.IndexScan("by_customer", Row.Of("alice"), Row.Of("bob"), false, true)), Is.EqualTo(new[] { 5L, 3L }));
        Assert.That(Ids(_orders.IndexScan("by_customer", Row.Of("bob", 20.0), null)), Is.EqualTo(new[] { 3L, 4L }));
        Assert.Throws<ArgumentException>(() => _orders.IndexScan("nope", null, null));
        Assert.Throws<ArgumentException>(() => _orders.IndexScan(null, Row.Of("x"), null));
        Assert.Throws<ArgumentException>(() => _orders.IndexScan(null, Row.Of(1L, 2L), null));
    }

    [Test]
    public void Project_sort_and_limit_with_offset()
    {
        var plan = new Limit(new Sort(new Project(_orders.Scan(), [("who", Expr.Col("customer")), ("double", Expr.Col("total") * Expr.Const(2L))]),
            [new SortKey(Expr.Col("who"), Descending: true), new SortKey(Expr.Col("double"))]), count: 3, offset: 1);
        Assert.That(plan.Select(r => r.ToString()), Is.EqualTo(new[] { "('bob', 22)", "('bob', 60)", "('alice', null)" }));
        Assert.That(plan.Columns.Select(c => c.Name), Is.EqualTo(new[] { "who", "double" }));
    }

    [Test]
    public void Aggregate_groups_and_computes()
    {
        var plan = new Aggregate(_orders.Scan(), [Expr.Col("customer")],
            [AggregateSpec.Count(), AggregateSpec.Count(Expr.Col("total"), "n"), AggregateSpec.Sum(Expr.Col("total")),
             AggregateSpec.Min(Expr.Col("total")), AggregateSpec.Max(Expr.Col("id")), AggregateSpec.Avg(Expr.Col("total"))]);
        Assert.That(plan.Select(r => r.ToString()), Is.EqualTo(new[]
        {
            "('alice', 2, 1, 12.5, 12.5, 2, 12.5)", "('bob', 2, 2, 41, 11, 5, 20.5)", "('carol', 1, 1, 5, 5, 4, 5)",
        }));
        var empty = new Aggregate(_orders.Scan(where: Expr.Const(false)), [], [AggregateSpec.Count(), AggregateSpec.Sum(Expr.Col("total"))]);
        Assert.That(empty.Single().ToString(), Is.EqualTo("(0, null)"));
        Assert.Throws<ArgumentException>(() => new Aggregate(_orders.Scan(), [], [new AggregateSpec(AggregateFunction.Sum, null, "s")]));
    }

    [Test]
    public void Joins_agree_and_qualified_names_resolve()
    {
        Table customers = _tx.CreateTable(new TableSchema("customers",
            [new Column("customer", ColumnType.String), new Column("city", ColumnType.String)], primaryKey: ["customer"]));
        customers.Insert(Row.Of("alice", "Oslo"));
        customers.Insert(Row.Of("bob", "Rome"));
        var nested = new NestedLoopJoin(_orders.Scan(), customers.Scan(), Expr.Col("orders.customer") == Expr.Col("customers.customer"));
        var hashed = new HashJoin(_orders.Scan(), customers.Scan(), [Expr.Col("customer")], [Expr.Col("customer")]);
        string[] expected = ["(1, 'alice', 12.5, 'alice', 'Oslo')", "(2, 'alice', null, 'alice', 'Oslo')",
            "(3, 'bob', 30, 'bob', 'Rome')", "(5, 'bob', 11, 'bob', 'Rome')"];
        Assert.That(nested.Select(r => r.ToString()), Is.EqualTo(expected));
        Assert.That(hashed.Select(r => r.ToString()), Is.EqualTo(expected));
        Assert.That(hashed.Explain(), Does.StartWith("HashJoin on customer = customer\n  TableScan orders"));
        Assert.Throws<ArgumentException>(() => new NestedLoopJoin(_orders.Scan(), customers.Scan(), Expr.Col("customer") == Expr.Const("x")));
        Assert.That(new NestedLoopJoin(_orders.Scan(), customers.Scan(), null).Count(), Is.EqualTo(10));
    }

    [Test]
    public void Write_operators_change_the_table_from_an_input()
    {
        Table archive = _tx.CreateTable(new TableSchema("archive", [new Column("id", ColumnType.Int64), new Column("customer", ColumnType.String),
            new Column("total", ColumnType.Double, true)]));
        Assert.That(new InsertRows(archive, _orders.Scan(where: Expr.Col("customer") == Expr.Const("bob"))).Single().GetInt64(0), Is.EqualTo(2));
        Assert.That(new UpdateRows(_orders, _orders.Scan(where: Expr.Col("customer") == Expr.Const("alice")),
            [("total", Expr.Const(1.0)), ("id", Expr.Col("id") + Expr.Const(10L))]).Single().GetInt64(0), Is.EqualTo(2));
        Assert.That(Ids(_orders.Scan()), Is.EqualTo(new[] { 3L, 4L, 5L, 11L, 12L }));
        Assert.That(new DeleteRows(archive, archive.Scan([TableSchema.RowIdColumn], Expr.Col("id") == Expr.Const(3L))).Single().GetInt64(0), Is.EqualTo(1));
        Assert.That(archive.Scan(["id", TableSchema.RowIdColumn]).Single().ToString(), Is.EqualTo("(5, 2)"));
        Assert.That(new DeleteRows(_orders, _orders.Scan(where: Expr.Col("total") < Expr.Const(6.0))).Single().GetInt64(0), Is.EqualTo(3));
        Assert.That(Ids(_orders.Scan()), Is.EqualTo(new[] { 3L, 5L }));
        Assert.Throws<ConstraintViolationException>(() => new UpdateRows(_orders, _orders.Scan(where: Expr.Col("id") == Expr.Const(3L)),
            [("id", Expr.Const(5L))]).Single());
        Assert.That(Ids(_orders.Scan()), Is.EqualTo(new[] { 3L, 5L }));
        Assert.Throws<ArgumentException>(() => new DeleteRows(_orders, _orders.Scan(["customer"])));
        Assert.Throws<ArgumentException>(() => new InsertRows(_orders, _orders.Scan(["id"])));
        IntegrityReport report = _db.CheckIntegrity();
        Assert.That(report.IsOk, Is.True);
    }

    [Test]
    public void Misuse_is_refused()
    {
        Assert.Throws<ArgumentException>(() => _orders.Scan(["nope"]));
        Assert.Throws<ArgumentException>(() => new Filter(_orders.Scan(), Expr.Col("nope") > Expr.Const(1L)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Limit(_orders.Scan(), -1));
        Assert.Throws<ArgumentException>(() => new Sort(_orders.Scan(), []));
        Assert.Throws<ArgumentException>(() => new HashJoin(_orders.Scan(), _orders.Scan(), [Expr.Col("id")], []));
        Assert.Throws<InvalidOperationException>(() => _orders.Scan().Next());
        Assert.Throws<InvalidOperationException>(() => new Filter(_orders.Scan(), Expr.Col("customer") > Expr.Const(1L)).ToList());
        Assert.Throws<InvalidOperationException>(() => new Filter(_orders.Scan(), Expr.Col("id")).ToList());
        using PlanOperator scan = _orders.Scan();
        scan.Open();
        scan.Next();
        _orders.Insert(Row.Of(9L, "z", null));
        Assert.Throws<InvalidOperationException>(() => scan.Next());
    }

    private static long[] Ids(PlanOperator plan) => plan.Select(r => r.GetInt64(0)).ToArray();
}
