using PageDb.Sql.Parsing;
using PageDb.Sql.Syntax;

namespace PageDb.Sql;

/// <summary>
/// SQL text parsed once, to run many times with different parameters through <see cref="SqlSession.Execute(PreparedStatement, SqlParameters?)"/>.
/// Names are bound on each run, in the transaction it runs in, so a prepared statement stays valid across schema changes.
/// </summary>
public sealed class PreparedStatement
{
    internal PreparedStatement(string sql)
    {
        Sql = sql;
        Statements = Parser.Parse(sql);
    }

    /// <summary>The SQL text.</summary>
    public string Sql { get; }

    /// <summary>The number of statements in the text.</summary>
    public int StatementCount => Statements.Count;

    internal List<SqlStatement> Statements { get; }
}
