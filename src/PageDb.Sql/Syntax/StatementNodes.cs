namespace PageDb.Sql.Syntax;

/// <summary>A statement as parsed. <see cref="Offset"/> is where it starts in the SQL text.</summary>
internal abstract record SqlStatement(int Offset);

/// <summary>A query: one or more SELECT cores joined by compound operators, then ORDER BY and LIMIT.</summary>
internal sealed record SelectStatement(
    int Offset,
    IReadOnlyList<SelectCore> Cores,
    IReadOnlyList<CompoundOperator> Operators,
    IReadOnlyList<OrderTerm> OrderBy,
    SqlExpr? Limit,
    SqlExpr? OffsetRows) : SqlStatement(Offset);

/// <summary>How two SELECT cores combine.</summary>
internal enum CompoundOperator
{
    /// <summary>UNION: distinct rows of both.</summary>
    Union,

    /// <summary>UNION ALL: all rows of both.</summary>
    UnionAll,

    /// <summary>INTERSECT: distinct rows in both.</summary>
    Intersect,

    /// <summary>EXCEPT: distinct rows of the left not in the right.</summary>
    Except,
}

/// <summary>One SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ...</summary>
internal sealed record SelectCore(
    bool Distinct,
    IReadOnlyList<ResultColumn> Columns,
    IReadOnlyList<FromItem> From,
    SqlExpr? Where,
    IReadOnlyList<SqlExpr> GroupBy,
    SqlExpr? Having);

/// <summary>A result column: an expression with an optional alias, <c>*</c>, or <c>table.*</c> (<paramref name="StarTable"/>).</summary>
internal sealed record ResultColumn(SqlExpr? Expression, string? Alias, bool Star, string? StarTable, string Text);

/// <summary>How a FROM item joins the items before it.</summary>
internal enum JoinKind
{
    /// <summary>The first item, a comma, CROSS JOIN or INNER JOIN.</summary>
    Inner,

    /// <summary>LEFT [OUTER] JOIN: unmatched left rows are kept with NULLs.</summary>
    Left,
}

/// <summary>A table (or a subquery, when <paramref name="Subquery"/> is set) in FROM, with its alias and join condition.</summary>
internal sealed record FromItem(int Offset, string? Table, SelectStatement? Subquery, string? Alias, JoinKind Join, SqlExpr? On, IReadOnlyList<string>? Using);

/// <summary>An ORDER BY term.</summary>
internal sealed record OrderTerm(SqlExpr Expression, bool Descending, bool? NullsFirst);

/// <summary>A column definition of CREATE TABLE.</summary>
internal sealed record ColumnDefinition(
    int Offset, string Name, string TypeName, bool PrimaryKey, bool NotNull, bool Unique, SqlExpr? Default);

/// <summary>CREATE TABLE.</summary>
internal sealed record CreateTableStatement(
    int Offset, string Name, bool IfNotExists, IReadOnlyList<ColumnDefinition> Columns,
    IReadOnlyList<string> PrimaryKey, IReadOnlyList<IReadOnlyList<string>> UniqueKeys) : SqlStatement(Offset);

/// <summary>CREATE [UNIQUE] INDEX.</summary>
internal sealed record CreateIndexStatement(
    int Offset, string Name, string Table, IReadOnlyList<string> Columns, bool Unique, bool IfNotExists) : SqlStatement(Offset);

/// <summary>DROP TABLE or DROP INDEX.</summary>
internal sealed record DropStatement(int Offset, bool Index, string Name, bool IfExists) : SqlStatement(Offset);

/// <summary>ANALYZE [table]: collects the statistics of one table, or of every table when <paramref name="Table"/> is null.</summary>
internal sealed record AnalyzeStatement(int Offset, string? Table) : SqlStatement(Offset);

/// <summary>INSERT INTO table [(columns)] VALUES ... | SELECT ...</summary>
internal sealed record InsertStatement(
    int Offset, string Table, IReadOnlyList<string>? Columns, IReadOnlyList<IReadOnlyList<SqlExpr>>? Rows,
    SelectStatement? Query, bool Replace) : SqlStatement(Offset);

/// <summary>UPDATE table SET column = value, ... [WHERE ...]</summary>
internal sealed record UpdateStatement(
    int Offset, string Table, IReadOnlyList<(string Column, SqlExpr Value)> Assignments, SqlExpr? Where) : SqlStatement(Offset);

/// <summary>DELETE FROM table [WHERE ...]</summary>
internal sealed record DeleteStatement(int Offset, string Table, SqlExpr? Where) : SqlStatement(Offset);

/// <summary>BEGIN, COMMIT or ROLLBACK.</summary>
internal sealed record TransactionStatement(int Offset, TransactionAction Action) : SqlStatement(Offset);

/// <summary>What a <see cref="TransactionStatement"/> does.</summary>
internal enum TransactionAction
{
    /// <summary>BEGIN.</summary>
    Begin,

    /// <summary>COMMIT or END.</summary>
    Commit,

    /// <summary>ROLLBACK.</summary>
    Rollback,
}

/// <summary>EXPLAIN statement: prints the plan instead of running it.</summary>
internal sealed record ExplainStatement(int Offset, SqlStatement Statement) : SqlStatement(Offset);
