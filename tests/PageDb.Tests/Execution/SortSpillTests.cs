using PageDb.Execution;
using PageDb.Expressions;
using PageDb.Testing;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Execution;

/// <summary>A sort larger than its memory budget spills sorted runs to temporary files and merges them, stably.</summary>
public class SortSpillTests
{
    [Test]
    public void A_sort_over_its_budget_spills_and_matches_a_stable_linq_order()
    {
        int seed = TestSeed.Next();
        var rng = new Random(seed);
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table items = tx.CreateTable(new TableSchema("items",
            [new Column("id", ColumnType.Int64), new Column("group", ColumnType.Int64), new Column("name", ColumnType.String, Nullable: true),
             new Column("score", ColumnType.Double, Nullable: true)],
            primaryKey: ["id"]));
        var rows = new List<(long Id, long Group, string? Name, double? Score)>();
        for (long id = 0; id < 3000; id++)
        {
            string? name = rng.Next(10) == 0 ? null : $"n{rng.Next(50)}";
            double? score = rng.Next(10) == 0 ? null : rng.Next(100) / 4.0;
            long group = rng.Next(7);
            items.Insert(Row.Of(id, group, name, score));
            rows.Add((id, group, name, score));
        }
        using var sort = new Sort(items.Scan(),
            [new SortKey(Expr.Col("group")), new SortKey(Expr.Col("score"), Descending: true)],
            memoryBudgetBytes: 16 << 10);
        List<long> actual = sort.Select(r => r.GetInt64(0)).ToList();
        List<long> expected = rows
            .OrderBy(r => r.Group)
            .ThenByDescending(r => r.Score ?? double.NegativeInfinity) // nulls sort first ascending, so last descending
            .Select(r => r.Id).ToList();
        Assert.That(sort.SpilledRuns, Is.GreaterThan(5), "the budget forced runs to disk");
        Assert.That(actual, Is.EqualTo(expected), TestSeed.Describe(seed));
    }

    [Test]
    public void Run_files_are_deleted_when_the_sort_closes()
    {
        using PageDatabase db = Open(new MemoryStorage());
        using WriteTransaction tx = db.BeginWrite();
        Table items = tx.CreateTable(new TableSchema("t", [new Column("id", ColumnType.Int64), new Column("text", ColumnType.String)], primaryKey: ["id"]));
        for (long id = 0; id < 500; id++)
            items.Insert(Row.Of(id, new string('x', 200)));
        int before = Directory.GetFiles(Path.GetTempPath(), "pagedb-sort-*.run").Length;
        using (var sort = new Sort(items.Scan(), [new SortKey(Expr.Col("id"), Descending: true)], memoryBudgetBytes: 4096))
        {
            Assert.That(sort.First().GetInt64(0), Is.EqualTo(499));
            Assert.That(sort.SpilledRuns, Is.GreaterThan(1));
        }
        Assert.That(Directory.GetFiles(Path.GetTempPath(), "pagedb-sort-*.run").Length, Is.EqualTo(before));
    }
}
