using System.Globalization;
using PageDb.Sql.Syntax;
using PageDb.Sql.Values;

namespace PageDb.Sql.Parsing;

/// <summary>
/// The expression grammar, by SQLite's precedence from loosest to tightest: OR; AND; NOT; = == != &lt;&gt; IS IN LIKE
/// GLOB BETWEEN; &lt; &lt;= &gt; &gt;=; &amp; | &lt;&lt; &gt;&gt;; + -; * / %; ||; unary - + ~; primaries.
/// </summary>
internal sealed partial class Parser
{
    private const int MaxDepth = 200;
    private int _depth;

    private List<SqlExpr> ExpressionList()
    {
        var list = new List<SqlExpr>();
        do
        {
            list.Add(Expression());
        }
        while (Accept(","));
        return list;
    }

    private SqlExpr Expression()
    {
        if (++_depth > MaxDepth)
            throw Error("The expression is nested too deeply.");
        try
        {
            return Or();
        }
        finally
        {
            _depth--;
        }
    }

    private SqlExpr Or()
    {
        SqlExpr left = And();
        while (Current.IsKeyword("OR"))
        {
            int offset = Current.Offset;
            _position++;
            left = new BinaryExpr(offset, "OR", left, And());
        }
        return left;
    }

    private SqlExpr And()
    {
        SqlExpr left = Not();
        while (Current.IsKeyword("AND"))
        {
            int offset = Current.Offset;
            _position++;
            left = new BinaryExpr(offset, "AND", left, Not());
        }
        return left;
    }

    private SqlExpr Not()
    {
        if (Current.IsKeyword("NOT"))
        {
            int offset = Current.Offset;
            _position++;
            return new UnaryExpr(offset, "NOT", Not());
        }
        return Equality();
    }

    private SqlExpr Equality()
    {
        SqlExpr left = Comparison();
        while (true)
        {
            Token token = Current;
            if (token.IsSymbol("=") || token.IsSymbol("==") || token.IsSymbol("!=") || token.IsSymbol("<>"))
            {
                _position++;
                string op = token.Text switch { "==" => "=", "<>" => "!=", _ => token.Text };
                left = new BinaryExpr(token.Offset, op, left, Comparison());
            }
            else if (AcceptKeyword("IS"))
            {
                bool negated = AcceptKeyword("NOT");
                if (AcceptKeyword("NULL"))
                    left = new IsNullExpr(token.Offset, left, negated);
                else
                    left = new BinaryExpr(token.Offset, negated ? "IS NOT" : "IS", left, Comparison());
            }
            else if (AcceptKeyword("ISNULL"))
            {
                left = new IsNullExpr(token.Offset, left, false);
            }
            else if (AcceptKeyword("NOTNULL"))
            {
                left = new IsNullExpr(token.Offset, left, true);
            }
            else if (token.IsKeyword("NOT") && Peek(1).IsKeyword("NULL"))
            {
                _position += 2;
                left = new IsNullExpr(token.Offset, left, true);
            }
            else if (!TryPostfixPredicate(ref left))
            {
                return left;
            }
        }
    }

    /// <summary>[NOT] IN, [NOT] LIKE/GLOB, [NOT] BETWEEN after <paramref name="left"/>.</summary>
    private bool TryPostfixPredicate(ref SqlExpr left)
    {
        int offset = Current.Offset;
        int saved = _position;
        bool negated = AcceptKeyword("NOT");
        if (AcceptKeyword("IN"))
        {
            left = InPredicate(offset, left, negated);
            return true;
        }
        bool glob = Current.IsKeyword("GLOB");
        if (AcceptKeyword("LIKE") || AcceptKeyword("GLOB"))
        {
            SqlExpr pattern = Comparison();
            SqlExpr? escape = AcceptKeyword("ESCAPE") ? Comparison() : null;
            left = new LikeExpr(offset, left, pattern, escape, negated, glob);
            return true;
        }
        if (AcceptKeyword("BETWEEN"))
        {
            SqlExpr low = Comparison();
            ExpectKeyword("AND");
            SqlExpr high = Comparison();
            left = new BetweenExpr(offset, left, low, high, negated);
            return true;
        }
        _position = saved;
        return false;
    }

    private SqlExpr InPredicate(int offset, SqlExpr left, bool negated)
    {
        if (!Accept("("))
        {
            int tableOffset = Current.Offset;
            string table = Name("a table name or '('");
            var star = new ResultColumn(null, null, true, null, "*");
            var core = new SelectCore(false, [star], [new FromItem(tableOffset, table, null, null, JoinKind.Inner, null, null)], null, [], null);
            return new InSelectExpr(offset, left, new SelectStatement(tableOffset, [core], [], [], null, null), negated);
        }
        if (Current.IsKeyword("SELECT") || Current.IsKeyword("VALUES"))
        {
            SelectStatement query = Select();
            Expect(")");
            return new InSelectExpr(offset, left, query, negated);
        }
        List<SqlExpr> items = Current.IsSymbol(")") ? [] : ExpressionList();
        Expect(")");
        return new InListExpr(offset, left, items, negated);
    }

    private static readonly string[] ComparisonSymbols = ["<", "<=", ">", ">="];
    private static readonly string[] BitwiseSymbols = ["&", "|", "<<", ">>"];
    private static readonly string[] AdditiveSymbols = ["+", "-"];
    private static readonly string[] MultiplicativeSymbols = ["*", "/", "%"];
    private static readonly string[] ConcatenationSymbols = ["||"];

    private SqlExpr Comparison() => LeftAssociative(ComparisonSymbols, Bitwise);

    private SqlExpr Bitwise() => LeftAssociative(BitwiseSymbols, Additive);

    private SqlExpr Additive() => LeftAssociative(AdditiveSymbols, Multiplicative);

    private SqlExpr Multiplicative() => LeftAssociative(MultiplicativeSymbols, Concatenation);

    private SqlExpr Concatenation() => LeftAssociative(ConcatenationSymbols, Unary);

    /// <summary>One precedence level of left-associative binary operators: operands from <paramref name="operand"/>.</summary>
    private SqlExpr LeftAssociative(string[] symbols, Func<SqlExpr> operand)
    {
        SqlExpr left = operand();
        while (Current.Kind == TokenKind.Symbol && Array.IndexOf(symbols, Current.Text) >= 0)
        {
            Token token = Current;
            _position++;
            left = new BinaryExpr(token.Offset, token.Text, left, operand());
        }
        return left;
    }

    private SqlExpr Unary()
    {
        Token token = Current;
        if (token.IsSymbol("-") || token.IsSymbol("+") || token.IsSymbol("~"))
        {
            _position++;
            if (++_depth > MaxDepth)
                throw Error("The expression is nested too deeply.");
            try
            {
                return new UnaryExpr(token.Offset, token.Text, Unary());
            }
            finally
            {
                _depth--;
            }
        }
        SqlExpr primary = Primary();
        if (AcceptKeyword("COLLATE"))
            Name("a collation name");
        return primary;
    }

    private SqlExpr Primary()
    {
        Token token = Current;
        switch (token.Kind)
        {
            case TokenKind.Integer:
                _position++;
                return new LiteralExpr(token.Offset, IntegerLiteral(token.Text));
            case TokenKind.Real:
                _position++;
                return new LiteralExpr(token.Offset, SqlValue.FromReal(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture)));
            case TokenKind.String:
                _position++;
                return new LiteralExpr(token.Offset, SqlValue.FromText(token.Text));
            case TokenKind.Blob:
                _position++;
                return new LiteralExpr(token.Offset, SqlValue.FromBlob(Convert.FromHexString(token.Text)));
            case TokenKind.Parameter:
                _position++;
                return Parameter(token);
            case TokenKind.Symbol when token.IsSymbol("("):
                return Parenthesized();
            case TokenKind.Word or TokenKind.QuotedName:
                return WordPrimary(token);
            default:
                throw Error($"Expected an expression, found {Describe(token)}.");
        }
    }

    private static SqlValue IntegerLiteral(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return SqlValue.FromInteger(unchecked((long)ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? SqlValue.FromInteger(value)
            : SqlValue.FromReal(double.Parse(text, CultureInfo.InvariantCulture));
    }

    private ParameterExpr Parameter(Token token)
    {
        if (token.Text == "?")
            return new ParameterExpr(token.Offset, token.Text, ++_positionalParameters);
        if (token.Text[0] == '?')
        {
            int position = int.Parse(token.Text.AsSpan(1), CultureInfo.InvariantCulture);
            _positionalParameters = Math.Max(_positionalParameters, position);
            return new ParameterExpr(token.Offset, token.Text, position);
        }
        return new ParameterExpr(token.Offset, token.Text, 0);
    }

    private SqlExpr Parenthesized()
    {
        int offset = Current.Offset;
        Expect("(");
        if (Current.IsKeyword("SELECT") || Current.IsKeyword("VALUES"))
        {
            SelectStatement query = Select();
            Expect(")");
            return new SubqueryExpr(offset, query);
        }
        SqlExpr inner = Expression();
        Expect(")");
        return inner;
    }

    private SqlExpr WordPrimary(Token token)
    {
        if (token.Kind == TokenKind.Word)
        {
            if (AcceptKeyword("NULL"))
                return new LiteralExpr(token.Offset, SqlValue.Null);
            if (AcceptKeyword("CASE"))
                return Case(token.Offset);
            if (AcceptKeyword("CAST"))
                return Cast(token.Offset);
            if (AcceptKeyword("EXISTS"))
            {
                Expect("(");
                SelectStatement query = Select();
                Expect(")");
                return new ExistsExpr(token.Offset, query);
            }
            if (token.IsKeyword("CURRENT_TIMESTAMP") || token.IsKeyword("CURRENT_DATE") || token.IsKeyword("CURRENT_TIME"))
            {
                _position++;
                return new FunctionExpr(token.Offset, token.Text.ToUpperInvariant(), [], false, false);
            }
            if (Peek(1).IsSymbol("("))
                return Function(token);
        }
        string first = Name("an expression");
        if (!Accept("."))
            return new ColumnExpr(token.Offset, null, first);
        return new ColumnExpr(token.Offset, first, Name("a column name"));
    }

    private FunctionExpr Function(Token name)
    {
        _position += 2;
        if (Accept("*"))
        {
            Expect(")");
            return new FunctionExpr(name.Offset, name.Text.ToLowerInvariant(), [], false, true);
        }
        bool distinct = AcceptKeyword("DISTINCT");
        if (!distinct)
            AcceptKeyword("ALL");
        List<SqlExpr> arguments = Current.IsSymbol(")") && !distinct ? [] : ExpressionList();
        Expect(")");
        return new FunctionExpr(name.Offset, name.Text.ToLowerInvariant(), arguments, distinct, false);
    }

    private CaseExpr Case(int offset)
    {
        SqlExpr? subject = Current.IsKeyword("WHEN") ? null : Expression();
        var branches = new List<(SqlExpr, SqlExpr)>();
        while (AcceptKeyword("WHEN"))
        {
            SqlExpr when = Expression();
            ExpectKeyword("THEN");
            branches.Add((when, Expression()));
        }
        if (branches.Count == 0)
            throw Error($"Expected WHEN, found {Describe(Current)}.");
        SqlExpr? otherwise = AcceptKeyword("ELSE") ? Expression() : null;
        ExpectKeyword("END");
        return new CaseExpr(offset, subject, branches, otherwise);
    }

    private CastExpr Cast(int offset)
    {
        Expect("(");
        SqlExpr operand = Expression();
        ExpectKeyword("AS");
        string typeName = TypeName(optional: false);
        Expect(")");
        return new CastExpr(offset, operand, typeName);
    }
}
