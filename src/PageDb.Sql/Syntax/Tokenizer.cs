using System.Text;

namespace PageDb.Sql.Syntax;

/// <summary>Splits a SQL text into tokens, ending with one <see cref="TokenKind.End"/>; comments and spaces are skipped.</summary>
internal sealed class Tokenizer
{
    private static readonly string[] Symbols =
        ["||", "==", "!=", "<>", "<=", ">=", "<<", ">>", "=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".", ";", "&", "|", "~"];

    private readonly string _sql;
    private int _position;

    private Tokenizer(string sql) => _sql = sql;

    /// <summary>The tokens of <paramref name="sql"/>.</summary>
    /// <exception cref="SqlException">An unterminated string, name or comment, or a character SQL does not use.</exception>
    public static List<Token> Tokenize(string sql)
    {
        var tokenizer = new Tokenizer(sql);
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
        SkipSpacesAndComments();
        if (_position >= _sql.Length)
            return new Token(TokenKind.End, "", _sql.Length);
        char c = _sql[_position];
        if ((c is 'x' or 'X') && Peek(1) == '\'')
            return BlobLiteral();
        if (char.IsLetter(c) || c == '_')
            return Word();
        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1))))
            return Number();
        return c switch
        {
            '\'' => Quoted('\'', '\'', TokenKind.String),
            '"' => Quoted('"', '"', TokenKind.QuotedName),
            '`' => Quoted('`', '`', TokenKind.QuotedName),
            '[' => Quoted('[', ']', TokenKind.QuotedName),
            '?' or ':' or '@' or '$' => Parameter(),
            _ => Symbol(),
        };
    }

    private char Peek(int ahead) => _position + ahead < _sql.Length ? _sql[_position + ahead] : '\0';

    private void SkipSpacesAndComments()
    {
        while (_position < _sql.Length)
        {
            if (char.IsWhiteSpace(_sql[_position]))
            {
                _position++;
            }
            else if (_sql[_position] == '-' && Peek(1) == '-')
            {
                while (_position < _sql.Length && _sql[_position] != '\n')
                    _position++;
            }
            else if (_sql[_position] == '/' && Peek(1) == '*')
            {
                int end = _sql.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                if (end < 0)
                    throw SourcePosition.Error(_sql, _position, "Unterminated comment.");
                _position = end + 2;
            }
            else
            {
                return;
            }
        }
    }

    private Token Word()
    {
        int start = _position;
        while (_position < _sql.Length && (char.IsLetterOrDigit(_sql[_position]) || _sql[_position] is '_' or '$'))
            _position++;
        return new Token(TokenKind.Word, _sql[start.._position], start);
    }

    private Token Number()
    {
        int start = _position;
        bool isReal = false;
        if (_sql[_position] == '0' && Peek(1) is 'x' or 'X' && char.IsAsciiHexDigit(Peek(2)))
        {
            _position += 2;
            while (_position < _sql.Length && char.IsAsciiHexDigit(_sql[_position]))
                _position++;
            return new Token(TokenKind.Integer, _sql[start.._position], start);
        }
        SkipDigits();
        if (_position < _sql.Length && _sql[_position] == '.')
        {
            isReal = true;
            _position++;
            SkipDigits();
        }
        if (_position < _sql.Length && _sql[_position] is 'e' or 'E'
            && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            isReal = true;
            _position += 2;
            SkipDigits();
        }
        if (_position < _sql.Length && (char.IsLetter(_sql[_position]) || _sql[_position] == '_'))
            throw SourcePosition.Error(_sql, start, $"Malformed number '{_sql[start..(_position + 1)]}'.");
        return new Token(isReal ? TokenKind.Real : TokenKind.Integer, _sql[start.._position], start);
    }

    private void SkipDigits()
    {
        while (_position < _sql.Length && char.IsAsciiDigit(_sql[_position]))
            _position++;
    }

    private Token Quoted(char open, char close, TokenKind kind)
    {
        int start = _position;
        var text = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= _sql.Length)
                throw SourcePosition.Error(_sql, start, kind == TokenKind.String ? "Unterminated string." : "Unterminated quoted name.");
            char c = _sql[_position++];
            if (c == close)
            {
                if (open != close || _position >= _sql.Length || _sql[_position] != close)
                    break;
                _position++;
            }
            text.Append(c);
        }
        return new Token(kind, text.ToString(), start);
    }

    private Token BlobLiteral()
    {
        int start = _position;
        _position++;
        Token hex = Quoted('\'', '\'', TokenKind.String);
        if (hex.Text.Length % 2 != 0 || !hex.Text.All(char.IsAsciiHexDigit))
            throw SourcePosition.Error(_sql, start, "A blob literal needs an even number of hexadecimal digits.");
        return new Token(TokenKind.Blob, hex.Text, start);
    }

    private Token Parameter()
    {
        int start = _position;
        _position++;
        while (_position < _sql.Length && (char.IsLetterOrDigit(_sql[_position]) || _sql[_position] == '_'))
            _position++;
        if (_sql[start] != '?' && _position == start + 1)
            throw SourcePosition.Error(_sql, start, $"A parameter name must follow '{_sql[start]}'.");
        return new Token(TokenKind.Parameter, _sql[start.._position], start);
    }

    private Token Symbol()
    {
        foreach (string symbol in Symbols)
        {
            if (string.CompareOrdinal(_sql, _position, symbol, 0, symbol.Length) == 0)
            {
                int start = _position;
                _position += symbol.Length;
                return new Token(TokenKind.Symbol, symbol, start);
            }
        }
        throw SourcePosition.Error(_sql, _position, $"Unexpected character '{_sql[_position]}'.");
    }
}
