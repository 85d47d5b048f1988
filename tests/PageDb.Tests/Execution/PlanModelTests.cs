using PageDb.Execution;
using PageDb.Expressions;
using PageDb.Records;
using PageDb.Testing;
using PageDb.Tests.Records;
using static PageDb.Tests.TestDatabase;

namespace PageDb.Tests.Execution;

/// <summary>
/// Random schemas, rows and plans, run through PageDb and through LINQ to Objects over the same rows; the results
/// must match, in order where the plan orders (scans in key order, sorts, stable joins and groups).
/// </summary>
public class PlanModelTests
{
    private static readonly Comparer<Value> ValueOrder = Comparer<Value>.Create((a, b) => Value.Compare(a, b));

    [Test]
    public void Random_plans_match_linq_over_the_same_rows([Range(0, 7)] int round)
    {
        int seed = TestSeed.Next() + round;
        var random = new Random(seed);
        var values = new RandomValues(random);
        using PageDatabase db = Open(new MemoryStorage(), Durability.None);
        using WriteTransaction tx = db.BeginWrite();
        Column[] columns = [new("id", ColumnType.Int64), .. Enumerable.Range(1, random.Next(2, 5))
            .Select(i => new Column("c" + i, values.AnyType(), Nullable: random.Next(3) > 0))];
        Table table = tx.CreateTable(new TableSchema("t", columns, primaryKey: ["id"]));
        var model = new SortedDictionary<long, Row>();
        for (int i = random.Next(0, 300); i > 0; i--)
        {
            long id = random.Next(1000);
            Row row = new([Value.FromInt64(id), .. columns.Skip(1).Select(c => random.Next(5) == 0 && c.Nullable ? Value.Null : values.Small(c.Type))]);
            if (model.TryAdd(id, row))
                table.Insert(row);
        }
        int indexed = random.Next(1, columns.Length);
        table.CreateIndex("ix", [columns[indexed].Name]);
        List<Row> rows = [.. model.Values];
        for (int plan = 0; plan < 40; plan++)
        {
            string context = $"plan {plan}; {TestSeed.Describe(seed)}";
            int kind = random.Next(6);
            (PlanOperator actual, IEnumerable<Row> expected) = kind switch
            {
                0 => ScanWithPredicate(table, rows, columns, values),
                1 => SortAndLimit(table, rows, columns, random),
                2 => GroupBy(table, rows, columns, random),
                3 => Join(table, rows, columns, random, hashed: random.Next(2) == 0),
                4 => RangeOverIndex(table, rows, columns, indexed, values),
                _ => ProjectArithmetic(table, rows, columns, random),
            };
            using (actual)
                Assert.That(actual.Select(r => r.ToString()).ToList(), Is.EqualTo(expected.Select(r => r.ToString()).ToList()),
                    $"{context}\n{actual.Explain()}");
        }
    }

    private static (PlanOperator, IEnumerable<Row>) ScanWithPredicate(Table table, List<Row> rows, Column[] columns, RandomValues values)
    {
        (Expr expr, Func<Row, bool?> holds) = RandomPredicate(columns, values, depth: 2);
        int[] projection = Enumerable.Range(0, columns.Length).Where(_ => values.Random.Next(2) == 0).DefaultIfEmpty(0).ToArray();
        var scan = values.Random.Next(2) == 0
            ? (PlanOperator)table.Scan(projection.Select(p => columns[p].Name).ToList(), expr)
            : new Project(new Filter(table.Scan(), expr), projection.Select(p => columns[p].Name).ToList());
        return (scan, rows.Where(r => holds(r) == true).Select(r => Pick(r, projection)));
    }

    private static (PlanOperator, IEnumerable<Row>) SortAndLimit(Table table, List<Row> rows, Column[] columns, Random random)
    {
        int c = random.Next(columns.Length);
        bool descending = random.Next(2) == 0;
        int count = random.Next(0, 50), offset = random.Next(0, 20);
        var plan = new Limit(new Sort(table.Scan(), [new SortKey(Expr.Col(columns[c].Name), descending)]), count, offset);
        IEnumerable<Row> sorted = descending
            ? rows.OrderByDescending(r => r.GetValue(c), ValueOrder)
            : rows.OrderBy(r => r.GetValue(c), ValueOrder);
        return (plan, sorted.Skip(offset).Take(count));
    }

    private static (PlanOperator, IEnumerable<Row>) GroupBy(Table table, List<Row> rows, Column[] columns, Random random)
    {
        int g = random.Next(1, columns.Length), a = random.Next(columns.Length);
        bool numeric = Value.IsNumeric(columns[a].Type);
        var specs = new List<AggregateSpec> { AggregateSpec.Count(), AggregateSpec.Min(Expr.Col(columns[a].Name)), AggregateSpec.Max(Expr.Col(columns[a].Name)) };
        if (numeric)
            specs.Add(AggregateSpec.Sum(Expr.Col(columns[a].Name)));
        var plan = new Aggregate(table.Scan(), [Expr.Col(columns[g].Name)], specs);
        IEnumerable<Row> expected = rows.GroupBy(r => r.GetValue(g)).Select(group =>
        {
            Value[] present = group.Select(r => r.GetValue(a)).Where(v => !v.IsNull).ToArray();
            var output = new List<Value> { group.Key, Value.FromInt64(group.Count()),
                present.Length == 0 ? Value.Null : present.Min(ValueOrder), present.Length == 0 ? Value.Null : present.Max(ValueOrder) };
            if (numeric)
                output.Add(present.Length == 0 ? Value.Null : Sum(present));
            return new Row([.. output]);
        });
        return (plan, expected);
    }

    private static (PlanOperator, IEnumerable<Row>) Join(Table table, List<Row> rows, Column[] columns, Random random, bool hashed)
    {
        int c = random.Next(1, columns.Length);
        PlanOperator outer = new Project(table.Scan(), [("id", Expr.Col("id")), ("k", Expr.Col(columns[c].Name))]);
        PlanOperator inner = new Project(table.Scan(), [("id2", Expr.Col("id")), ("k2", Expr.Col(columns[c].Name))]);
        PlanOperator plan = hashed
            ? new HashJoin(outer, inner, [Expr.Col("k")], [Expr.Col("k2")])
            : new NestedLoopJoin(outer, inner, Expr.Col("k") == Expr.Col("k2"));
        IEnumerable<Row> expected = rows.Where(r => !r.IsNull(c)).Join(rows.Where(r => !r.IsNull(c)), r => r.GetValue(c), r => r.GetValue(c),
            (o, i) => new Row([o.GetValue(0), o.GetValue(c), i.GetValue(0), i.GetValue(c)]));
        return (plan, expected);
    }

    private static (PlanOperator, IEnumerable<Row>) RangeOverIndex(Table table, List<Row> rows, Column[] columns, int indexed, RandomValues values)
    {
        Value low = values.Small(columns[indexed].Type), high = values.Small(columns[indexed].Type);
        bool lowInclusive = values.Random.Next(2) == 0, highInclusive = values.Random.Next(2) == 0;
        var plan = table.IndexScan("ix", new Row([low]), new Row([high]), lowInclusive, highInclusive);
        IEnumerable<Row> expected = rows
            .Where(r => Value.Compare(r.GetValue(indexed), low) is var c && (c > 0 || (c == 0 && lowInclusive)))
            .Where(r => Value.Compare(r.GetValue(indexed), high) is var c && (c < 0 || (c == 0 && highInclusive)))
            .OrderBy(r => r.GetValue(indexed), ValueOrder).ThenBy(r => r.GetInt64(0));
        return (plan, expected);
    }

    private static (PlanOperator, IEnumerable<Row>) ProjectArithmetic(Table table, List<Row> rows, Column[] columns, Random random)
    {
        long k = random.Next(-3, 4);
        var plan = new Project(table.Scan(), [("id", Expr.Col("id")), ("x", Expr.Col("id") * Expr.Const(k) - Expr.Const(1L)), ("n", Expr.IsNull(Expr.Col(columns[^1].Name)))]);
        return (plan, rows.Select(r => Row.Of(r.GetInt64(0), r.GetInt64(0) * k - 1, r.IsNull(columns.Length - 1))));
    }

    /// <summary>A random predicate as an expression and as a three-valued C# function over the same row.</summary>
    private static (Expr, Func<Row, bool?>) RandomPredicate(Column[] columns, RandomValues values, int depth)
    {
        Random random = values.Random;
        if (depth > 0 && random.Next(3) == 0)
        {
            (Expr a, Func<Row, bool?> fa) = RandomPredicate(columns, values, depth - 1);
            (Expr b, Func<Row, bool?> fb) = RandomPredicate(columns, values, depth - 1);
            return random.Next(3) switch
            {
                0 => (a & b, r => fa(r) == false || fb(r) == false ? false : fa(r) is null || fb(r) is null ? null : true),
                1 => (a | b, r => fa(r) == true || fb(r) == true ? true : fa(r) is null || fb(r) is null ? null : false),
                _ => (!a, r => !fa(r)),
            };
        }
        int c = random.Next(columns.Length);
        if (random.Next(5) == 0)
            return (Expr.IsNull(Expr.Col(columns[c].Name)), r => r.IsNull(c));
        Value constant = values.Small(columns[c].Type);
        int op = random.Next(6);
        Expr col = Expr.Col(columns[c].Name), k = Expr.Const(constant.ToObject());
        Expr expr = op switch { 0 => col == k, 1 => col != k, 2 => col < k, 3 => col <= k, 4 => col > k, _ => col >= k };
        return (expr, r =>
        {
            if (r.IsNull(c))
                return null;
            int cmp = Value.Compare(r.GetValue(c), constant);
            return op switch { 0 => cmp == 0, 1 => cmp != 0, 2 => cmp < 0, 3 => cmp <= 0, 4 => cmp > 0, _ => cmp >= 0 };
        });
    }

    private static Row Pick(Row row, int[] ordinals) => new([.. ordinals.Select(row.GetValue)]);

    private static Value Sum(Value[] present) => present[0].Type switch
    {
        ColumnType.Int64 => Value.FromInt64(present.Skip(1).Aggregate(present[0].AsInt64, (s, v) => unchecked(s + v.AsInt64))),
        ColumnType.Double => Value.FromDouble(present.Skip(1).Aggregate(present[0].AsDouble, (s, v) => s + v.AsDouble)),
        _ => Value.FromDecimal(present.Skip(1).Aggregate(present[0].AsDecimal, (s, v) => s + v.AsDecimal)),
    };
}
