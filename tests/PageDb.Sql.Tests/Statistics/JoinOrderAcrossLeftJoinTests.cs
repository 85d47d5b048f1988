using System.Globalization;
using System.Text;
using PageDb.Testing;

namespace PageDb.Sql.Tests.Statistics;

/// <summary>
/// With ANALYZE's statistics the planner moves inner joins across LEFT joins (a LEFT-joined table is joined after
/// every table its ON reads, never first). Random joins of three to five tables of very different sizes, inner and
/// LEFT, ON conditions that read any earlier table (inner ones also a LEFT-joined one), and WHERE conditions that test
/// a LEFT-joined table's NULL row, against SQLite; rows compared as multisets, the seed printed on a mismatch.
/// </summary>
[TestFixture]
public sealed class JoinOrderAcrossLeftJoinTests
{
    private const int DefaultSeed = 20261207;
    private const int Queries = 150;
    private static readonly (string Name, int Rows)[] Tables = [("t0", 300), ("t1", 30), ("t2", 5), ("t3", 100), ("t4", 12)];
    private static readonly string[] Columns = ["id", "k", "v"];

    [Test]
    public void Joins_reordered_across_LEFT_joins_give_SQLites_rows()
    {
        int seed = TwinDatabases.Seed(DefaultSeed);
        var random = new Random(seed);
        using var twins = new TwinDatabases(Schema(random));
        twins.Session.Execute("ANALYZE");
        int movedAcross = 0;
        for (int q = 0; q < Queries; q++)
        {
            (string sql, List<string> from, HashSet<string> left) = Query(random);
            string context = $"{TestSeed.Describe(seed)}: {sql}";
            Assert.That(DifferentialTests.RunPageDb(twins.Session, sql), Is.EqualTo(DifferentialTests.RunSqlite(twins.Sqlite, sql)), context);
            if (InnerJoinedBeforeAnEarlierLeftJoin(PlanOrder(twins.Session, sql, from), from, left))
                movedAcross++;
        }
        Assert.That(movedAcross, Is.GreaterThan(Queries / 10), $"{TestSeed.Describe(seed)}: too few inner joins moved across a LEFT join");
    }

    [Test]
    public void A_selective_inner_join_after_a_LEFT_join_drives_the_query()
    {
        using var twins = new TwinDatabases(Schema(new Random(DefaultSeed)));
        twins.Session.Execute("ANALYZE");
        const string Sql = "SELECT t0.id, t3.id, t2.id FROM t0 LEFT JOIN t3 ON t3.v = t0.v AND t3.k = t0.k JOIN t2 ON t2.id = t0.k WHERE t2.s = 's1'";

        List<string> plan = PlanOrder(twins.Session, Sql, ["t0", "t3", "t2"]);

        Assert.That(plan, Is.EqualTo(new[] { "t2", "t0", "t3" }), "the 5-row table drives, t0 is looked up by k, the LEFT join stays after t0");
        Assert.That(DifferentialTests.RunPageDb(twins.Session, Sql), Is.EqualTo(DifferentialTests.RunSqlite(twins.Sqlite, Sql)));
    }

    /// <summary>The tables of <paramref name="from"/> in the order EXPLAIN joins them.</summary>
    private static List<string> PlanOrder(SqlSession session, string sql, List<string> from) =>
        [.. session.Execute("EXPLAIN " + sql).Rows
            .Select(r => r[0].ToString().Split(' '))
            .Select(words => words.FirstOrDefault(from.Contains))
            .OfType<string>()];

    private static bool InnerJoinedBeforeAnEarlierLeftJoin(List<string> plan, List<string> from, HashSet<string> left)
    {
        for (int i = 0; i < plan.Count; i++)
        {
            for (int j = i + 1; j < plan.Count; j++)
            {
                if (!left.Contains(plan[i]) && left.Contains(plan[j]) && from.IndexOf(plan[i]) > from.IndexOf(plan[j]))
                    return true;
            }
        }
        return false;
    }

    private static (string Sql, List<string> From, HashSet<string> Left) Query(Random random)
    {
        int count = random.Next(3, 6);
        List<string> from = [.. Tables.Select(t => t.Name).OrderBy(_ => random.Next()).Take(count)];
        var left = new HashSet<string>();
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", from.Select(t => t + ".id")).Append(" FROM ").Append(from[0]);
        for (int j = 1; j < count; j++)
        {
            bool isLeft = random.Next(5) < 2;
            string earlier = from[random.Next(j)];
            sql.Append(isLeft ? " LEFT JOIN " : " JOIN ").Append(from[j]).Append(" ON ")
                .Append(CultureInfo.InvariantCulture, $"{from[j]}.{Pick(random, Columns)} = {earlier}.{Pick(random, "k", "v")}");
            if (random.Next(3) == 0)
                sql.Append(CultureInfo.InvariantCulture, $" AND {Pick(random, [.. from.Take(j + 1)])}.v {Pick(random, "< 3", "IS NOT NULL", "<> 1")}");
            if (isLeft)
                left.Add(from[j]);
        }
        var where = new List<string>();
        for (int c = random.Next(3); c > 0; c--)
        {
            string table = Pick(random, [.. from]);
            where.Add(random.Next(4) switch
            {
                0 => $"{table}.id IS NULL",
                1 => $"coalesce({table}.k, -1) <> {Pick(random, [.. from])}.v",
                2 => $"{table}.s = 's{random.Next(3)}'",
                _ => $"{table}.v < {random.Next(1, 5)}",
            });
        }
        if (where.Count > 0)
            sql.Append(" WHERE ").AppendJoin(" AND ", where);
        return (sql.ToString(), from, left);
    }

    private static IEnumerable<string> Schema(Random random)
    {
        foreach ((string name, int rows) in Tables)
        {
            yield return $"CREATE TABLE {name}(id INTEGER PRIMARY KEY, k INTEGER, v INTEGER, s TEXT)";
            for (int id = 0; id < rows; id += 50)
            {
                IEnumerable<string> values = Enumerable.Range(id, Math.Min(50, rows - id))
                    .Select(i => $"({i}, {Nullable(random, random.Next(10))}, {Nullable(random, random.Next(5))}, {Pick(random, "'s0'", "'s1'", "'s2'", "NULL")})");
                yield return $"INSERT INTO {name} VALUES " + string.Join(", ", values);
            }
        }
        yield return "CREATE INDEX t0_k ON t0(k)";
        yield return "CREATE INDEX t3_v ON t3(v)";
    }

    private static string Nullable(Random random, int value) => random.Next(8) == 0 ? "NULL" : value.ToString(CultureInfo.InvariantCulture);

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];
}
