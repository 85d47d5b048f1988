namespace PageDb.Sql.Syntax;

/// <summary>One token of a SQL text: its kind, its value (unquoted for names and strings) and where it starts.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Text">The value: a word as written, a name or string without its quotes, a symbol, a number's digits.</param>
/// <param name="Offset">The position of the token's first character in the SQL text.</param>
internal readonly record struct Token(TokenKind Kind, string Text, int Offset)
{
    /// <summary>True for the bare word <paramref name="keyword"/> (any case).</summary>
    public bool IsKeyword(string keyword) => Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the symbol <paramref name="symbol"/>.</summary>
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
}
