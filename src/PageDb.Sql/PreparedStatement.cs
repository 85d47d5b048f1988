using PageDb.Sql.Binding;
using PageDb.Sql.Parsing;
using PageDb.Sql.Syntax;

namespace PageDb.Sql;

/// <summary>
/// SQL text parsed once, to run many times with different parameters through <see cref="SqlSession.Execute(PreparedStatement, SqlParameters?)"/>.
/// A query is also compiled (names bound, indexes chosen) once and its plan reused while the tables it names keep their
/// columns and indexes; a schema change makes the next run compile it again, so a prepared statement stays valid.
/// </summary>
public sealed class PreparedStatement
{
    internal PreparedStatement(string sql)
    {
        Sql = sql;
        Statements = Parser.Parse(sql);
        Plans = [.. Statements.Select(_ => new PlanCache())];
    }

    /// <summary>The SQL text.</summary>
    public string Sql { get; }

    /// <summary>The number of statements in the text.</summary>
    public int StatementCount => Statements.Count;

    internal List<SqlStatement> Statements { get; }

    /// <summary>The cached plan of each statement (used by queries).</summary>
    internal PlanCache[] Plans { get; }
}
