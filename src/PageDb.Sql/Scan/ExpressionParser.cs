using System.Globalization;

namespace PageDb.Sql.Scan;

/// <summary>
/// Parses conditions and sort keys by recursive descent, loosest operator first:
/// <code>
/// or         := and ('or' and)*
/// and        := not ('and' not)*
/// not        := 'not' not | comparison
/// comparison := sum (('=' | '==' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;=') sum | 'is' ['not'] 'null')?
/// sum        := product (('+' | '-') product)*
/// product    := unary (('*' | '/') unary)*
/// unary      := '-' unary | primary
/// primary    := integer | real | 'string' | true | false | null | name | "name" | '(' or ')'
/// orderBy    := or ['asc' | 'desc'] (',' or ['asc' | 'desc'])*
/// </code>
/// Keywords are case-insensitive; a column whose name is a keyword is written in double quotes.
/// </summary>
internal sealed class ExpressionParser
{
    private static readonly string[] Reserved = ["and", "or", "not", "is", "null", "true", "false"];

    private readonly List<Token> _tokens;
    private readonly string _origin;
    private int _next;

    private ExpressionParser(string text, string origin)
    {
        _tokens = Tokenizer.Tokenize(text, origin);
        _origin = origin;
    }

    /// <summary>The condition in <paramref name="text"/>; errors name <paramref name="origin"/> (the option).</summary>
    public static SyntaxNode ParseCondition(string text, string origin)
    {
        var parser = new ExpressionParser(text, origin);
        SyntaxNode condition = parser.Or();
        parser.ExpectEnd();
        return condition;
    }

    /// <summary>The comma-separated sort keys in <paramref name="text"/>, each optionally followed by asc or desc.</summary>
    public static IReadOnlyList<OrderItem> ParseOrderBy(string text, string origin)
    {
        var parser = new ExpressionParser(text, origin);
        var items = new List<OrderItem>();
        do
        {
            SyntaxNode key = parser.Or();
            bool descending = parser.TakeKeyword("desc");
            if (!descending)
                parser.TakeKeyword("asc");
            items.Add(new OrderItem(key, descending));
        }
        while (parser.TakeSymbol(","));
        parser.ExpectEnd();
        return items;
    }

    private Token Peek => _tokens[_next];

    private SyntaxNode Or() => LeftAssociative(And, token => token.IsKeyword("or") ? BinaryOperator.Or : null);

    private SyntaxNode And() => LeftAssociative(Not, token => token.IsKeyword("and") ? BinaryOperator.And : null);

    /// <summary><c>operand (operator operand)*</c>, grouped from the left; <paramref name="operatorOf"/> names the operators of this level.</summary>
    private SyntaxNode LeftAssociative(Func<SyntaxNode> operand, Func<Token, BinaryOperator?> operatorOf)
    {
        SyntaxNode left = operand();
        while (operatorOf(Peek) is BinaryOperator op)
        {
            int position = Take().Position;
            left = new BinaryNode(op, left, operand(), position);
        }
        return left;
    }

    private SyntaxNode Not()
    {
        if (!Peek.IsKeyword("not"))
            return Comparison();
        int position = Take().Position;
        return new UnaryNode(UnaryOperator.Not, Not(), position);
    }

    private SyntaxNode Comparison()
    {
        SyntaxNode left = Sum();
        if (Peek.IsKeyword("is"))
            return IsNull(left);
        if (ComparisonOperator(Peek) is not { } op)
            return left;
        int position = Take().Position;
        return new BinaryNode(op, left, Sum(), position);
    }

    private IsNullNode IsNull(SyntaxNode operand)
    {
        int position = Take().Position;
        bool negated = TakeKeyword("not");
        if (!TakeKeyword("null"))
            throw Expected(negated ? "'null' after 'is not'" : "'null' or 'not null' after 'is'");
        return new IsNullNode(operand, negated, position);
    }

    private SyntaxNode Sum() => LeftAssociative(Product, token =>
        token.IsSymbol("+") ? BinaryOperator.Add : token.IsSymbol("-") ? BinaryOperator.Subtract : null);

    private SyntaxNode Product() => LeftAssociative(Unary, token =>
        token.IsSymbol("*") ? BinaryOperator.Multiply : token.IsSymbol("/") ? BinaryOperator.Divide : null);

    /// <summary>A minus before a number is part of the number, so -9223372036854775808 is an Int64.</summary>
    private SyntaxNode Unary()
    {
        if (!Peek.IsSymbol("-"))
            return Primary();
        int position = Take().Position;
        if (Peek.Kind is TokenKind.Integer or TokenKind.Real)
            return Number(Take(), "-", position);
        return new UnaryNode(UnaryOperator.Negate, Unary(), position);
    }

    private SyntaxNode Primary()
    {
        Token token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Integer or TokenKind.Real:
                return Number(Take(), "", token.Position);
            case TokenKind.String:
                Take();
                return new LiteralNode(token.Text, token.Text, token.Position);
            case TokenKind.QuotedIdentifier:
                Take();
                return new ColumnNode(token.Text, token.Position);
            case TokenKind.Identifier:
                return Name();
            default:
                if (!TakeSymbol("("))
                    throw Expected("a value");
                SyntaxNode inner = Or();
                if (!TakeSymbol(")"))
                    throw Expected("')'");
                return inner;
        }
    }

    private SyntaxNode Name()
    {
        Token token = Peek;
        if (token.IsKeyword("null") || token.IsKeyword("true") || token.IsKeyword("false"))
        {
            Take();
            object? value = token.IsKeyword("null") ? null : token.IsKeyword("true");
            return new LiteralNode(value, token.Text, token.Position);
        }
        if (Reserved.Any(token.IsKeyword))
            throw Expected("a value");
        Take();
        return new ColumnNode(token.Text, token.Position);
    }

    private LiteralNode Number(Token token, string sign, int position)
    {
        string text = sign + token.Text;
        if (token.Kind == TokenKind.Integer)
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
                throw ExpressionError.At(_origin, position, $"the integer {text} is out of the Int64 range (write {text}.0 for a Double)");
            return new LiteralNode(integer, text, position);
        }
        double real = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(real))
            throw ExpressionError.At(_origin, position, $"the number {text} is out of the Double range");
        return new LiteralNode(real, text, position);
    }

    private static BinaryOperator? ComparisonOperator(Token token) => token.Kind != TokenKind.Symbol ? null : token.Text switch
    {
        "=" or "==" => BinaryOperator.Equal,
        "!=" or "<>" => BinaryOperator.NotEqual,
        "<" => BinaryOperator.Less,
        "<=" => BinaryOperator.LessOrEqual,
        ">" => BinaryOperator.Greater,
        ">=" => BinaryOperator.GreaterOrEqual,
        _ => null,
    };

    private void ExpectEnd()
    {
        if (Peek.Kind != TokenKind.End)
            throw ExpressionError.At(_origin, Peek.Position, $"unexpected {Peek.Describe()}");
    }

    private Token Take() => _tokens[_next++];

    private bool TakeKeyword(string keyword)
    {
        if (!Peek.IsKeyword(keyword))
            return false;
        _next++;
        return true;
    }

    private bool TakeSymbol(string symbol)
    {
        if (!Peek.IsSymbol(symbol))
            return false;
        _next++;
        return true;
    }

    private SqlException Expected(string what) =>
        ExpressionError.At(_origin, Peek.Position, $"expected {what}, found {Peek.Describe()}");
}
