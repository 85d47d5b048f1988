using System.Globalization;
using Microsoft.Data.Sqlite;
using PageDb.Testing;

namespace PageDb.Sql.Tests;

/// <summary>
/// ORDER BY served by a key read in order (forwards or backwards, nullable, text with characters beyond U+FFFF) against
/// SQLite and against PageDb's own sort: random data and queries of the form <c>SELECT id, terms FROM t [WHERE ...]
/// ORDER BY terms [LIMIT n]</c>. SQLite's key sequence must match PageDb's (rows SQL leaves tied may differ), the rows
/// as a multiset too when there is no LIMIT, and PageDb's rows must be exactly those of the same query made to sort
/// (<c>ORDER BY +0, terms</c>). The seed is printed.
/// </summary>
[TestFixture]
public sealed class IndexOrderDifferentialTests
{
    private const int Queries = 400;
    private const int DefaultSeed = 20261207;

    private static readonly string[][] TermSets = [["a"], ["c"], ["e"], ["d"], ["a", "b"], ["d", "b"], ["b"], ["id"], ["name"]];

    private static readonly string[] Texts = ["''", "'a'", "'ab'", "'b'", "'B'", "'a\uE000'", "'a\U0001F600'", "'\U0001F600'", "'\uFFFD'", "'a b'"];

    [Test]
    public void Ordered_key_reads_give_SQLites_order_and_the_sorted_rows()
    {
        int seed = TwinDatabases.Seed(DefaultSeed);
        var random = new Random(seed);
        using var twins = new TwinDatabases(Schema(random));
        SqliteConnection sqlite = twins.Sqlite;
        SqlSession session = twins.Session;
        int served = 0;
        for (int i = 0; i < Queries; i++)
        {
            (string sql, string sorted, bool limited) = Query(random);
            string context = $"{TestSeed.Describe(seed)}, query {i}: {sql}";
            List<string>? expected = DifferentialTests.RunSqlite(sqlite, sql, inOrder: true);
            List<string>? actual = DifferentialTests.RunPageDb(session, sql, inOrder: true);
            Assert.That(actual, Is.Not.Null, context);
            Assert.That(actual, Is.EqualTo(DifferentialTests.RunPageDb(session, sorted, inOrder: true)), context + "\n(against PageDb's sort)");
            Assert.That(actual!.Select(WithoutId), Is.EqualTo(expected!.Select(WithoutId)), context + "\n(the ORDER BY keys against SQLite's)");
            if (!limited)
                Assert.That(actual, Is.EquivalentTo(expected!), context + "\n(the rows against SQLite's)");
            if (session.Execute("EXPLAIN " + sql).Rows.Any(r => r[0].ToString().EndsWith("(no sort)", StringComparison.Ordinal)))
                served++;
        }
        Assert.That(served, Is.GreaterThan(Queries / 4), $"{TestSeed.Describe(seed)}: too few queries were served by a key's order");
    }

    private static string WithoutId(string row) => row[(row.IndexOf('|', StringComparison.Ordinal) + 1)..];

    private static IEnumerable<string> Schema(Random random)
    {
        yield return "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b REAL, c TEXT, d INTEGER NOT NULL, e BOOLEAN)";
        yield return "CREATE TABLE k(name TEXT PRIMARY KEY, n INTEGER)";
        yield return "CREATE INDEX t_a ON t(a)";
        yield return "CREATE INDEX t_c ON t(c)";
        yield return "CREATE INDEX t_e ON t(e)";
        yield return "CREATE INDEX t_ab ON t(a, b)";
        yield return "CREATE INDEX t_db ON t(d, b)";
        int rows = random.Next(0, 60);
        for (int i = 0; i < rows; i++)
        {
            string a = random.Next(5) == 0 ? "NULL" : random.Next(-5, 6).ToString(CultureInfo.InvariantCulture);
            string b = random.Next(5) == 0 ? "NULL" : (random.Next(-8, 9) / 4.0).ToString("0.0#", CultureInfo.InvariantCulture);
            string c = random.Next(5) == 0 ? "NULL" : Texts[random.Next(Texts.Length)];
            string e = random.Next(4) == 0 ? "NULL" : random.Next(2).ToString(CultureInfo.InvariantCulture);
            yield return $"INSERT INTO t VALUES ({i}, {a}, {b}, {c}, {random.Next(-3, 4)}, {e})";
        }
        foreach (string name in Texts.Where(_ => random.Next(3) > 0))
            yield return $"INSERT INTO k VALUES ({name}, {random.Next(10)})";
    }

    /// <summary>A query, the same query made to sort, and whether it has a LIMIT.</summary>
    private static (string Sql, string Sorted, bool Limited) Query(Random random)
    {
        string[] terms = TermSets[random.Next(TermSets.Length)];
        string table = terms[0] == "name" ? "k" : "t";
        string direction = Pick(random, "", " ASC", " DESC");
        string order = string.Join(", ", terms.Select(t => t + (random.Next(8) == 0 ? Pick(random, " ASC", " DESC") : direction)
            + Pick(random, "", "", " NULLS FIRST", " NULLS LAST")));
        string where = table == "k" ? Pick(random, "", " WHERE name > 'a'", " WHERE name < 'b'") : Pick(random,
            "", "", " WHERE a = 2", " WHERE a IN (1, -3, NULL)", " WHERE a > 0", " WHERE a <= 1.5", " WHERE c > 'a'", " WHERE c < 'b'",
            " WHERE d = 1", " WHERE d = -2 AND b > 0", " WHERE b > 0.5", " WHERE e = 1", " WHERE c BETWEEN 'a' AND '\U0001F600'");
        bool limited = random.Next(4) == 0;
        string limit = limited ? $" LIMIT {random.Next(1, 8)}" : "";
        string select = $"SELECT {(table == "k" ? "n" : "id")}, {string.Join(", ", terms)} FROM {table}{where} ORDER BY ";
        return (select + order + limit, select + "+0, " + order + limit, limited);
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];
}
