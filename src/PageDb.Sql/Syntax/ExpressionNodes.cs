using PageDb.Sql.Values;

namespace PageDb.Sql.Syntax;

/// <summary>An expression as parsed, before its names are bound. <see cref="Offset"/> is where it starts in the SQL text.</summary>
internal abstract record SqlExpr(int Offset);

/// <summary>A literal value.</summary>
internal sealed record LiteralExpr(int Offset, SqlValue Value) : SqlExpr(Offset);

/// <summary>A parameter: <paramref name="Name"/> as written (<c>?</c>, <c>?3</c>, <c>@id</c>...), <paramref name="Position"/> its 1-based order among <c>?</c>s.</summary>
internal sealed record ParameterExpr(int Offset, string Name, int Position) : SqlExpr(Offset);

/// <summary>A column, optionally qualified by a table name or alias.</summary>
internal sealed record ColumnExpr(int Offset, string? Table, string Column) : SqlExpr(Offset);

/// <summary>A prefix operator: <c>-</c>, <c>+</c>, <c>~</c> or <c>NOT</c>.</summary>
internal sealed record UnaryExpr(int Offset, string Operator, SqlExpr Operand) : SqlExpr(Offset);

/// <summary>A binary operator, upper case for words: OR, AND, IS, IS NOT, comparisons, arithmetic, <c>||</c>, bit operators.</summary>
internal sealed record BinaryExpr(int Offset, string Operator, SqlExpr Left, SqlExpr Right) : SqlExpr(Offset);

/// <summary><c>x IS [NOT] NULL</c>.</summary>
internal sealed record IsNullExpr(int Offset, SqlExpr Operand, bool Negated) : SqlExpr(Offset);

/// <summary><c>x [NOT] BETWEEN low AND high</c>.</summary>
internal sealed record BetweenExpr(int Offset, SqlExpr Operand, SqlExpr Low, SqlExpr High, bool Negated) : SqlExpr(Offset);

/// <summary><c>x [NOT] IN (a, b, ...)</c>.</summary>
internal sealed record InListExpr(int Offset, SqlExpr Operand, IReadOnlyList<SqlExpr> Items, bool Negated) : SqlExpr(Offset);

/// <summary><c>x [NOT] IN (SELECT ...)</c> or <c>x [NOT] IN table</c>.</summary>
internal sealed record InSelectExpr(int Offset, SqlExpr Operand, SelectStatement Query, bool Negated) : SqlExpr(Offset);

/// <summary><c>x [NOT] LIKE pattern [ESCAPE e]</c>, or GLOB.</summary>
internal sealed record LikeExpr(int Offset, SqlExpr Operand, SqlExpr Pattern, SqlExpr? Escape, bool Negated, bool Glob) : SqlExpr(Offset);

/// <summary>A function or aggregate call; <paramref name="Star"/> for <c>count(*)</c>.</summary>
internal sealed record FunctionExpr(int Offset, string Name, IReadOnlyList<SqlExpr> Arguments, bool Distinct, bool Star) : SqlExpr(Offset);

/// <summary><c>CAST(x AS type)</c>.</summary>
internal sealed record CastExpr(int Offset, SqlExpr Operand, string TypeName) : SqlExpr(Offset);

/// <summary><c>CASE [base] WHEN .. THEN .. [ELSE ..] END</c>.</summary>
internal sealed record CaseExpr(int Offset, SqlExpr? Base, IReadOnlyList<(SqlExpr When, SqlExpr Then)> Branches, SqlExpr? Else) : SqlExpr(Offset);

/// <summary>A scalar subquery: its first row's first value, or NULL.</summary>
internal sealed record SubqueryExpr(int Offset, SelectStatement Query) : SqlExpr(Offset);

/// <summary><c>EXISTS (SELECT ...)</c>.</summary>
internal sealed record ExistsExpr(int Offset, SelectStatement Query) : SqlExpr(Offset);
