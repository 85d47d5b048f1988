using System.Text;

namespace PageDb.Sql.Scan;

/// <summary>Splits an expression into tokens (<see cref="Token"/>), ending with one <see cref="TokenKind.End"/>.</summary>
internal sealed class Tokenizer
{
    private static readonly string[] Symbols = ["==", "!=", "<>", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "(", ")", ","];

    private readonly string _text;
    private readonly string _origin;
    private int _position;

    private Tokenizer(string text, string origin)
    {
        _text = text;
        _origin = origin;
    }

    /// <summary>The tokens of <paramref name="text"/>; errors name <paramref name="origin"/> (the option it came from).</summary>
    public static List<Token> Tokenize(string text, string origin)
    {
        var tokenizer = new Tokenizer(text, origin);
        var tokens = new List<Token>();
        Token token;
        do
        {
            token = tokenizer.Next();
            tokens.Add(token);
        }
        while (token.Kind != TokenKind.End);
        return tokens;
    }

    private Token Next()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
            _position++;
        if (_position == _text.Length)
            return new Token(TokenKind.End, "", _position);
        char c = _text[_position];
        if (char.IsLetter(c) || c == '_')
            return Identifier();
        if (char.IsAsciiDigit(c) || (c == '.' && _position + 1 < _text.Length && char.IsAsciiDigit(_text[_position + 1])))
            return Number();
        if (c is '\'' or '"')
            return Quoted(c);
        return Symbol();
    }

    private Token Identifier()
    {
        int start = _position;
        while (_position < _text.Length && IsNameChar(_text[_position]))
            _position++;
        return new Token(TokenKind.Identifier, _text[start.._position], start);
    }

    private Token Number()
    {
        int start = _position;
        SkipDigits();
        bool real = false;
        if (Peek() == '.')
        {
            real = true;
            _position++;
            SkipDigits();
        }
        if (Peek() is 'e' or 'E')
        {
            real = true;
            _position++;
            if (Peek() is '+' or '-')
                _position++;
            if (!char.IsAsciiDigit(Peek()))
                throw ExpressionError.At(_origin, start, $"the number '{_text[start.._position]}' has no exponent digits");
            SkipDigits();
        }
        if (IsNameChar(Peek()) || Peek() == '.')
            throw ExpressionError.At(_origin, start, $"'{_text[start..(_position + 1)]}' is not a number");
        return new Token(real ? TokenKind.Real : TokenKind.Integer, _text[start.._position], start);
    }

    /// <summary>A 'string' or a "name": the quote doubled inside stands for itself.</summary>
    private Token Quoted(char quote)
    {
        int start = _position++;
        var value = new StringBuilder();
        while (true)
        {
            int end = _text.IndexOf(quote, _position);
            if (end < 0)
                throw ExpressionError.At(_origin, start, quote == '\'' ? "the string is not closed" : "the quoted name is not closed");
            value.Append(_text, _position, end - _position);
            _position = end + 1;
            if (Peek() != quote)
                break;
            value.Append(quote);
            _position++;
        }
        if (quote == '"' && value.Length == 0)
            throw ExpressionError.At(_origin, start, "a quoted name is empty");
        return new Token(quote == '\'' ? TokenKind.String : TokenKind.QuotedIdentifier, value.ToString(), start);
    }

    private Token Symbol()
    {
        foreach (string symbol in Symbols)
        {
            if (string.CompareOrdinal(_text, _position, symbol, 0, symbol.Length) == 0)
            {
                var token = new Token(TokenKind.Symbol, symbol, _position);
                _position += symbol.Length;
                return token;
            }
        }
        throw ExpressionError.At(_origin, _position, $"unexpected character '{_text[_position]}'");
    }

    private void SkipDigits()
    {
        while (char.IsAsciiDigit(Peek()))
            _position++;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
