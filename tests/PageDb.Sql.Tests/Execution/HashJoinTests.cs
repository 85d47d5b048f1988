using System.Globalization;
using Microsoft.Data.Sqlite;
using PageDb.Testing;

namespace PageDb.Sql.Tests.Execution;

/// <summary>
/// Joins by equality, which PageDb runs through a hash table (<c>HashJoin</c>), against SQLite: keys of every
/// affinity compared with every other (integer, real, text that may or may not look like a number, numeric, blob,
/// and expressions of none), NULL keys on both sides, many duplicate keys, inner and LEFT joins, USING, two and three
/// tables, composite keys, grouping over the join; with and without an index on the inner key, whose join lookups
/// turn into a hash table part-way through the outer rows. Results are compared as multisets; the seed is printed.
/// </summary>
[TestFixture]
public sealed class HashJoinTests
{
    private const int DefaultSeed = 20261208;

    private static readonly string[] Keys = ["i", "r", "t", "n", "b", "i + 0", "t || ''", "CAST(t AS INTEGER)", "CAST(i AS TEXT)", "-r"];

    private static readonly string[] Texts = ["'1'", "'1.0'", "'01'", "' 1'", "'2'", "'2.5'", "'a'", "''", "'1e0'", "NULL"];

    [Test]
    public void Equality_joins_give_SQLites_rows_for_every_pair_of_key_types()
    {
        int seed = TwinDatabases.Seed(DefaultSeed);
        var random = new Random(seed);
        using var twins = new TwinDatabases(Schema(random));
        int hashed = 0, compared = 0;
        foreach (string sql in Queries())
        {
            string context = $"{TestSeed.Describe(seed)}: {sql}";
            List<string>? expected = DifferentialTests.RunSqlite(twins.Sqlite, sql);
            List<string>? actual = DifferentialTests.RunPageDb(twins.Session, sql);
            Assert.That(actual, Is.EqualTo(expected), context);
            compared++;
            if (twins.Session.Execute("EXPLAIN " + sql).Rows.Any(r => r[0].ToString().Contains("HASH TABLE", StringComparison.Ordinal)))
                hashed++;
        }
        Assert.That(hashed, Is.GreaterThan(compared / 3), $"{TestSeed.Describe(seed)}: too few joins were hashed");
    }

    [Test]
    public void A_join_lookup_that_turns_into_a_hash_table_part_way_gives_every_row_in_order()
    {
        // 40 outer rows against 10 inner ones: the first 10 are joined by lookups, the rest through the hash table.
        using var twins = new TwinDatabases(
        [
            "CREATE TABLE o(id INTEGER PRIMARY KEY, k INTEGER)",
            "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO o VALUES " + string.Join(", ", Enumerable.Range(0, 40).Select(i => $"({i}, {(i % 6 == 5 ? "NULL" : (i * 7 % 13).ToString(CultureInfo.InvariantCulture))})")),
            "INSERT INTO p VALUES " + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"({i}, 'p{i}')")),
        ]);
        const string Sql = "SELECT o.id, p.name FROM o JOIN p ON p.id = o.k ORDER BY o.id";
        Assert.That(DifferentialTests.RunPageDb(twins.Session, Sql, inOrder: true), Is.EqualTo(DifferentialTests.RunSqlite(twins.Sqlite, Sql, inOrder: true)));
        const string Left = "SELECT o.id, p.name FROM o LEFT JOIN p ON p.id = o.k";
        Assert.That(DifferentialTests.RunPageDb(twins.Session, Left, inOrder: true), Is.EqualTo(DifferentialTests.RunSqlite(twins.Sqlite, Left, inOrder: true)),
            "no ORDER BY: the outer rows in key order, each with its matches");
    }

    private static IEnumerable<string> Queries()
    {
        foreach (string left in Keys)
        {
            foreach (string right in Keys)
            {
                yield return $"SELECT a.id, c.id FROM a JOIN c ON {Qualified("a", left)} = {Qualified("c", right)}";
                yield return $"SELECT a.id, c.id, c.t FROM a LEFT JOIN c ON {Qualified("c", right)} = {Qualified("a", left)}";
            }
        }
        foreach (string column in new[] { "i", "r", "t", "n" })
        {
            yield return $"SELECT a.id, d.id FROM a, d WHERE a.{column} = d.{column}";
            yield return $"SELECT d.id, a.id FROM d LEFT JOIN a ON a.{column} = d.{column} AND a.i > 0";
            yield return $"SELECT a.id, c.id FROM a JOIN c USING ({column})";
            yield return $"SELECT a.id, c.id FROM a LEFT JOIN c USING ({column})";
            yield return $"SELECT a.{column}, count(*), sum(c.i), min(c.t), max(c.r), total(c.n), avg(c.i) FROM a JOIN c ON a.{column} = c.{column} GROUP BY a.{column}";
        }
        yield return "SELECT a.id, c.id FROM a JOIN c ON a.i = c.i AND a.t = c.t";
        yield return "SELECT a.id, c.id FROM a JOIN c ON a.i = c.r AND c.t = a.n";
        yield return "SELECT a.id, c.id, d.id FROM a JOIN c ON c.i = a.i JOIN d ON d.t = c.t";
        yield return "SELECT a.id, c.id, d.id FROM a JOIN c ON c.i = a.i LEFT JOIN d ON d.r = a.r AND d.i = c.n";
        yield return "SELECT a.id, c.id, d.id FROM a LEFT JOIN c ON c.i = a.i JOIN d ON d.t = a.t";
        yield return "SELECT a.id, c.id FROM a JOIN c ON a.i = c.i WHERE c.t IS NULL OR a.r > 1";
        yield return "SELECT a.id, c.id FROM a LEFT JOIN c ON a.i = c.i WHERE c.id IS NULL";
        yield return "SELECT a.id, x.v FROM a JOIN (SELECT i AS v FROM c WHERE i IS NOT NULL) AS x ON x.v = a.r";
        yield return "SELECT a.id, c.id FROM a JOIN c ON a.i = c.i + 0.5";
        yield return "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM c JOIN d ON d.i = c.i WHERE c.t = a.t)";
    }

    private static string Qualified(string table, string key) =>
        string.Join(" ", key.Split(' ').Select(part => part is "i" or "r" or "t" or "n" or "b" ? $"{table}.{part}"
            : part.StartsWith("CAST(", StringComparison.Ordinal) ? $"CAST({table}.{part[5..]}"
            : part.StartsWith('-') ? $"-{table}.{part[1..]}" : part));

    private static IEnumerable<string> Schema(Random random)
    {
        foreach (string table in new[] { "a", "c", "d" })
            yield return $"CREATE TABLE {table}(id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, n DECIMAL, b BLOB)";
        yield return "CREATE INDEX c_i ON c(i)";
        yield return "CREATE INDEX d_t ON d(t, i)";
        foreach ((string table, int rows) in new[] { ("a", 40), ("c", 25), ("d", 12) })
        {
            for (int id = 0; id < rows; id++)
                yield return $"INSERT INTO {table} VALUES ({id}, {Integer(random)}, {Real(random)}, {Pick(random, Texts)}, {Numeric(random)}, {Pick(random, "x'31'", "x'32'", "NULL")})";
        }
    }

    private static string Integer(Random random) => random.Next(5) == 0 ? "NULL" : random.Next(-1, 4).ToString(CultureInfo.InvariantCulture);

    private static string Real(Random random) => Pick(random, "NULL", "1.0", "1.5", "2.0", "-1.0", "0.0", "2.5");

    private static string Numeric(Random random) => Pick(random, "NULL", "1", "1.0", "2.5", "'2'", "0");

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];
}
