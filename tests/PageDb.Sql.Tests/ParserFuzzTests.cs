using PageDb.Testing;

namespace PageDb.Sql.Tests;

/// <summary>
/// Random token sequences, parsed and run: every failure must be a PageDbException (SqlException or a constraint
/// violation), never another exception type, and nothing may hang.
/// </summary>
[TestFixture]
public sealed class ParserFuzzTests
{
    private static readonly string[] Vocabulary =
    [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "DISTINCT", "ALL", "AS", "JOIN",
        "LEFT", "CROSS", "ON", "USING", "UNION", "INTERSECT", "EXCEPT", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE",
        "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "EXISTS", "INSERT", "INTO", "VALUES", "UPDATE", "SET",
        "DELETE", "CREATE", "TABLE", "INDEX", "UNIQUE", "DROP", "PRIMARY", "KEY", "INTEGER", "TEXT", "REAL", "DESC",
        "t", "x", "y", "t.x", "count", "sum", "abs", "coalesce", "*", "(", ")", ",", ".", ";", "=", "<>", "<", ">=",
        "+", "-", "/", "%", "||", "1", "0", "-7", "2.5", "'s'", "''", "?", "@p", "X'00'", "1e999", "9223372036854775808",
    ];

    [Test]
    public void Random_token_sequences_fail_only_with_PageDb_exceptions()
    {
        int seed = TestSeed.Next();
        var random = new Random(seed);
        PageDatabase? db = null;
        SqlSession? session = null;
        try
        {
            for (int i = 0; i < 4000; i++)
            {
                if (i % 200 == 0)
                {
                    session?.Dispose();
                    db?.Dispose();
                    db = PageDatabase.OpenInMemory();
                    session = new SqlSession(db);
                    session.Execute("CREATE TABLE t(x INTEGER, y TEXT); INSERT INTO t VALUES (1, 'a'), (NULL, 'b'), (3, NULL)");
                }
                string sql = RandomSql(random);
                try
                {
                    session!.Execute(sql);
                }
                catch (PageDbException)
                {
                }
                catch (Exception e)
                {
                    Assert.Fail($"{TestSeed.Describe(seed)}: '{sql}' threw {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally
        {
            session?.Dispose();
            db?.Dispose();
        }
    }

    private static string RandomSql(Random random)
    {
        int length = random.Next(1, 25);
        var tokens = new List<string>(length + 4);
        if (random.Next(2) == 0)
            tokens.Add("SELECT");
        for (int i = 0; i < length; i++)
            tokens.Add(Vocabulary[random.Next(Vocabulary.Length)]);
        return string.Join(' ', tokens);
    }
}
