using System.Globalization;
using PageDb.Sql.Parsing;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Scan;

/// <summary>
/// Reads <c>pagedb scan</c>'s <c>--where</c> and <c>--order-by</c> with the SQL tokenizer and parser, then narrows the
/// SQL expression to what the scan language has (the engine's <see cref="PageDb.Expressions.Expr"/> operators):
/// <code>
/// or, and, not; = == != &lt;&gt; &lt; &lt;= &gt; &gt;=; is [not] null; + - * /; unary - and +; parentheses;
/// integers, reals, 'strings', null, true, false; column names, "quoted" when they spell a keyword
/// </code>
/// Anything else SQL parses (functions, IN, LIKE, BETWEEN, CASE, subqueries...) is an error that points at it and
/// sends the user to <c>pagedb sql</c>. Every error is one line naming the option and the character (from 1).
/// </summary>
internal static class ScanSyntax
{
    /// <summary>The condition in <paramref name="text"/>; errors name <paramref name="origin"/> (the option).</summary>
    public static SyntaxNode ParseCondition(string text, string origin)
    {
        SqlExpr expression = Parsed(origin, () => Parser.ParseExpression(text));
        return new Narrowing(text, origin).Node(expression);
    }

    /// <summary>The comma-separated sort keys in <paramref name="text"/>, each optionally followed by asc or desc.</summary>
    public static IReadOnlyList<OrderItem> ParseOrderBy(string text, string origin)
    {
        List<OrderTerm> terms = Parsed(origin, () => Parser.ParseOrderTerms(text));
        var narrowing = new Narrowing(text, origin);
        return [.. terms.Select(term => term.NullsFirst is null
            ? new OrderItem(narrowing.Node(term.Expression), term.Descending)
            : throw ExpressionError.At(origin, term.Expression.Offset, "NULLS FIRST/LAST is SQL only (use pagedb sql)"))];
    }

    private static T Parsed<T>(string origin, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (SqlException error) when (error.Offset >= 0)
        {
            throw ExpressionError.At(origin, error.Offset, error.Detail);
        }
    }

    /// <summary>Turns one text's SQL expressions into scan syntax nodes.</summary>
    private sealed class Narrowing(string text, string origin)
    {
        /// <summary>The text's tokens by offset: a literal keeps the digits as written, a name whether it was quoted.</summary>
        private readonly Dictionary<int, Token> _tokens = Tokenizer.Tokenize(text).ToDictionary(t => t.Offset);

        public SyntaxNode Node(SqlExpr expression) => expression switch
        {
            LiteralExpr literal => Literal(literal, ""),
            ColumnExpr { Table: null } column => Name(column),
            UnaryExpr { Operator: "NOT" } not => new UnaryNode(UnaryOperator.Not, Node(not.Operand), not.Offset),
            UnaryExpr { Operator: "-", Operand: LiteralExpr { Value.IsNumeric: true } number } negative => Literal(number, "-", negative.Offset),
            UnaryExpr { Operator: "-" } negate => new UnaryNode(UnaryOperator.Negate, Node(negate.Operand), negate.Offset),
            UnaryExpr { Operator: "+" } plus => Node(plus.Operand),
            IsNullExpr isNull => new IsNullNode(Node(isNull.Operand), isNull.Negated, isNull.Offset),
            BinaryExpr binary when Operator(binary.Operator) is BinaryOperator op =>
                new BinaryNode(op, Node(binary.Left), Node(binary.Right), binary.Offset),
            _ => throw ExpressionError.At(origin, expression.Offset, $"{Describe(expression)} is SQL only (use pagedb sql)"),
        };

        private SyntaxNode Name(ColumnExpr column)
        {
            bool quoted = _tokens[column.Offset].Kind == TokenKind.QuotedName;
            if (!quoted && (column.Column.Equals("true", StringComparison.OrdinalIgnoreCase) || column.Column.Equals("false", StringComparison.OrdinalIgnoreCase)))
                return new LiteralNode(column.Column.Equals("true", StringComparison.OrdinalIgnoreCase), column.Column, column.Offset);
            return new ColumnNode(column.Column, column.Offset);
        }

        private LiteralNode Literal(LiteralExpr literal, string sign, int? signOffset = null)
        {
            int position = signOffset ?? literal.Offset;
            Token token = _tokens[literal.Offset];
            string written = sign + token.Text;
            switch (token.Kind)
            {
                case TokenKind.Integer:
                    if (!long.TryParse(written, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
                        throw ExpressionError.At(origin, position, $"the integer {written} is out of the Int64 range (write {written}.0 for a Double)");
                    return new LiteralNode(integer, written, position);
                case TokenKind.Real:
                    double real = double.Parse(written, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (!double.IsFinite(real))
                        throw ExpressionError.At(origin, position, $"the number {written} is out of the Double range");
                    return new LiteralNode(real, written, position);
                case TokenKind.String:
                    return new LiteralNode(literal.Value.ToText(), token.Text, position);
                case TokenKind.Word when literal.Value.IsNull:
                    return new LiteralNode(null, token.Text, position);
                default:
                    throw ExpressionError.At(origin, position, $"{Describe(literal)} is SQL only (use pagedb sql)");
            }
        }

        private static BinaryOperator? Operator(string op) => op switch
        {
            "OR" => BinaryOperator.Or,
            "AND" => BinaryOperator.And,
            "=" => BinaryOperator.Equal,
            "!=" => BinaryOperator.NotEqual,
            "<" => BinaryOperator.Less,
            "<=" => BinaryOperator.LessOrEqual,
            ">" => BinaryOperator.Greater,
            ">=" => BinaryOperator.GreaterOrEqual,
            "+" => BinaryOperator.Add,
            "-" => BinaryOperator.Subtract,
            "*" => BinaryOperator.Multiply,
            "/" => BinaryOperator.Divide,
            _ => null,
        };

        private static string Describe(SqlExpr expression) => expression switch
        {
            BinaryExpr binary => $"the operator {binary.Operator}",
            UnaryExpr unary => $"the operator {unary.Operator}",
            FunctionExpr function => $"the function {function.Name}()",
            ColumnExpr column => $"the qualified name {column.Table}.{column.Column}",
            LiteralExpr { Value.Kind: SqlValueKind.Blob } => "a blob literal",
            ParameterExpr => "a parameter",
            InListExpr or InSelectExpr => "IN",
            LikeExpr like => like.Glob ? "GLOB" : "LIKE",
            BetweenExpr => "BETWEEN",
            CaseExpr => "CASE",
            CastExpr => "CAST",
            ExistsExpr => "EXISTS",
            _ => "a subquery",
        };
    }
}
