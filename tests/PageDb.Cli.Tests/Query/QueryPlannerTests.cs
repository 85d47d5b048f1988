using PageDb.Sql.Scan;
using PageDb.Execution;

namespace PageDb.Cli.Tests.Query;

public sealed class QueryPlannerTests
{
    private PageDatabase _database = null!;
    private WriteTransaction _tx = null!;
    private Table _items = null!;

    [SetUp]
    public void SetUp()
    {
        _database = PageDatabase.OpenInMemory();
        _tx = _database.BeginWrite();
        _items = _tx.CreateTable(Item.Schema);
        _items.CreateIndex("by_name", ["name"]);
        _items.CreateIndex("by_at_qty", ["at", "qty"]);
        foreach (Item item in Item.Generate(new Random(7), 40))
            _items.Insert(Row.Of(item.Id, item.Name, item.Qty, item.Total, item.Price, item.At, item.Flag, item.Data));
    }

    [TearDown]
    public void TearDown()
    {
        _tx.Dispose();
        _database.Dispose();
    }

    private string[] Explain(string? where, string? columns = null, string? orderBy = null, long? limit = null)
    {
        ScanQuery query = ScanQuery.Parse(columns, where, orderBy, limit).Bind(_items.Schema);
        using PlanOperator plan = QueryPlanner.Plan(_items, query);
        return plan.Explain().TrimEnd().Split('\n').Select(l => l.Trim()).ToArray();
    }

    [Test]
    public void NoConditionScansTheTable()
    {
        Assert.That(Explain(null), Is.EqualTo(new[] { "TableScan items [id, name, qty, total, price, at, flag, data]" }));
    }

    [Test]
    public void AKeyRangeBecomesAnIndexScanAndTheRestAFilter()
    {
        string[] plan = Explain("id >= 5 and qty = 1 and 20 > id", columns: "id");
        Assert.That(plan, Has.Length.EqualTo(3));
        Assert.That(plan[0], Is.EqualTo("Project id"));
        Assert.That(plan[1], Is.EqualTo("Filter (qty = 1)"));
        Assert.That(plan[2], Does.StartWith("IndexScan items.primary key [").And.EndWith(") [id, qty]"));
    }

    [Test]
    public void AnIndexScanReturnsTheRowsTheConditionDescribes()
    {
        ScanQuery query = ScanQuery.Parse("id", "id > -10 and id <= 40 and id <> 12", null, null).Bind(_items.Schema);
        using PlanOperator plan = QueryPlanner.Plan(_items, query);
        using PlanOperator all = _items.Scan(["id"]);
        long[] expected = [.. all.Select(r => r.GetInt64(0)).Where(id => id > -10 && id <= 40 && id != 12)];
        Assert.That(plan.Select(r => r.GetInt64(0)), Is.EqualTo(expected));
        Assert.That(expected, Is.Not.Empty);
    }

    [Test]
    public void TheFirstIndexColumnIsUsedWhenTheKeyIsNot()
    {
        Assert.That(Explain("at >= '2024-01-10' and at < '2024-01-20'")[^1], Does.StartWith("IndexScan items.by_at_qty ["));
        Assert.That(Explain("name = 'bee'")[^1], Does.StartWith("IndexScan items.by_name ["));
        Assert.That(Explain("qty = 1")[^1], Does.StartWith("TableScan items"), "qty is the second column of by_at_qty");
        Assert.That(Explain("id = 3 and name = 'bee'")[^1], Does.StartWith("IndexScan items.primary key"));
    }

    [Test]
    public void ANullableColumnNeedsALowerBoundBecauseNullsSortFirst()
    {
        Assert.That(Explain("name < 'bee'"), Is.EqualTo(new[] { "TableScan items [id, name, qty, total, price, at, flag, data] where (name < 'bee')" }));
        Assert.That(Explain("name > 'ant' and name < 'bee'")[^1], Does.StartWith("IndexScan items.by_name ("));
    }

    [Test]
    public void ConditionsARangeCannotUseStayFilters()
    {
        Assert.That(Explain("id <> 3 or id = 4")[^1], Does.StartWith("TableScan"), "an or is not a range");
        Assert.That(Explain("id > 2.5")[^1], Does.StartWith("TableScan"), "a Double bound on an Int64 key");
        Assert.That(Explain("id = qty")[^1], Does.StartWith("TableScan"), "a column is not a constant");
        Assert.That(Explain("id = null")[^1], Does.StartWith("TableScan"), "null is not a bound");
        string[] plan = Explain("id > 1 and id > 5");
        Assert.That(plan[0], Is.EqualTo("Filter (id > 5)"), "the first lower bound is the range, the second stays");
    }

    [Test]
    public void SortLimitAndProjectGoOnTop()
    {
        Assert.That(Explain("total > 1", columns: "name", orderBy: "price desc, id", limit: 3), Is.EqualTo(new[]
        {
            "Project name",
            "Limit 3",
            "Sort price desc, id",
            "TableScan items [name, price, id] where (total > 1)",
        }));
    }

    [Test]
    public void PrintedColumnsAreReadDirectlyWhenNothingElseIsNeeded()
    {
        Assert.That(Explain(null, columns: "total,id", orderBy: "id"), Is.EqualTo(new[] { "Sort id", "TableScan items [total, id]" }));
    }

    [Test]
    public void ATableWithoutAKeyIsRangedByItsRowId()
    {
        Table log = _tx.CreateTable(new TableSchema("log", [new Column("line", ColumnType.String)]));
        var rowIds = new Dictionary<string, long>();
        foreach (string line in new[] { "a", "b", "c", "d" })
        {
            log.Insert(Row.Of(line));
            rowIds[line] = log.LastInsertedRowId;
        }
        ScanQuery query = ScanQuery.Parse(null, $"_rowid > {rowIds["b"]}", "_rowid desc", null).Bind(log.Schema);
        using PlanOperator plan = QueryPlanner.Plan(log, query);
        Assert.That(plan.Explain(), Does.StartWith("Project line\n").And.Contain("IndexScan log.primary key"));
        Assert.That(plan.Select(r => r.GetString(0)), Is.EqualTo(new[] { "d", "c" }));
    }
}
